"""A failed flow runs again at once with trace, video and HAR on (Playwright Test's `on-first-retry`).

pytest-rerunfailures does the re-running (`--retries N` sets its `--reruns`), so pytest-playwright's own
artifact handling stays as it is: only the retry's context records (tracing and video switched on for that
attempt, a HAR added to its context), and its files land in `<output>/<test>-retry1/`. A flow that passes on
the retry is **flaky**: it passes (exit code 0, as Playwright Test does; `--fail-on-flaky` makes it exit 7),
and JUnit, Allure, timings.json and the console say so. A flow that fails again is reported with the first
attempt's message and failure class, the retry's evidence attached.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Generator

import pytest

from checkout_tester.base.failure_classes import class_of
from checkout_tester.base.redaction import Redactor, scrub_har
from checkout_tester.report.timings import PROPERTY as TIMINGS
from checkout_tester.run import browser as browser_setup

HAR_NAME = "network.har"
FLAKY = "flaky"  # the user property (JUnit <property name="flaky">) and the Allure/timings flag


def add_options(group: Any) -> None:
    """--retries N: how often a failed flow runs again (the retry records trace, video and HAR)."""
    group.addoption("--retries", type=int, default=None, metavar="N",
                    help="run a failed flow again at once, up to N times, with trace, video and HAR on; a pass on "
                         "retry is reported as flaky (default 1 under `checkout-tester run`, 0 under pytest)")


def configure(config: pytest.Config) -> None:
    """Hand --retries to pytest-rerunfailures and register the per-attempt switches."""
    retries = config.getoption("--retries")
    if retries is not None:
        if retries < 0:
            raise pytest.UsageError(f"--retries {retries}: give a whole number of retries, 0 or more (e.g. --retries 1)")
        config.option.reruns = retries
    video = True
    if (getattr(config.option, "reruns", None) or 0) > 0:  # a run stopped by Ctrl-C / SIGTERM is not retried
        config.option.rerun_except = [*(getattr(config.option, "rerun_except", None) or []), r"^FlowInterrupted:"]
        try:
            browser_setup.ensure_ffmpeg()  # before the Playwright driver starts
        except RuntimeError:
            video = False  # no ffmpeg: the retry records trace and HAR only
    config.pluginmanager.register(RetryPlugin(video), "checkout-tester-retry")


def attempt(item: pytest.Item) -> int:
    """1 for the first run of a test, 2 for its first retry ..."""
    return max(1, int(getattr(item, "execution_count", 1) or 1))


def context_args(request: pytest.FixtureRequest, taken: dict[str, Any]) -> dict[str, Any]:
    """Extra options for the retry's browser context: a HAR, and video when the user did not ask for it."""
    item = request.node
    if attempt(item) < 2:
        return {}
    extra: dict[str, Any] = {}
    if "record_har_path" not in taken:
        output = Path(request.getfixturevalue("output_path"))
        output.mkdir(parents=True, exist_ok=True)
        extra["record_har_path"] = str(output / HAR_NAME)
        item._checkout_har = extra["record_har_path"]  # type: ignore[attr-defined]
    if "record_video_dir" not in taken and getattr(item.config, "_checkout_retry_video", False):
        extra["record_video_dir"] = request.getfixturevalue("_pw_artifacts_folder").name
    return extra


def attach_har(item: pytest.Item, redactor: Redactor) -> None:
    """After the retry's teardown (its context closed, the HAR written): scrub secrets, attach to Allure."""
    path = getattr(item, "_checkout_har", None)
    if not path or not Path(path).exists():
        return
    import allure

    item._checkout_har = None  # type: ignore[attr-defined]
    scrub_har(path, redactor)
    allure.attach.file(path, name="network (HAR, retry)", extension="har")


class RetryPlugin:
    """Switches tracing and video on for retries only, and reports the attempts as one result."""

    def __init__(self, video: bool) -> None:
        self.video = video

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, None]:
        saved = {name: getattr(item.config.option, name, None) for name in ("tracing", "video")}
        try:
            yield  # pytest-rerunfailures' loop: every attempt of this item
        finally:
            for name, value in saved.items():
                setattr(item.config.option, name, value)
            item.config._checkout_retry_video = False  # type: ignore[attr-defined]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if attempt(item) < 2:
            item._checkout_properties = list(item.user_properties)  # type: ignore[attr-defined]
            return
        # the first attempt's report carried its own properties (its timings record): start this one afresh
        item.user_properties[:] = getattr(item, "_checkout_properties", [])
        # pytest-playwright reads these when the attempt's artifacts recorder is made, and at its teardown
        item.config.option.tracing = "on"
        if self.video or item.config.option.video != "off":
            item.config._checkout_retry_video = item.config.option.video == "off"  # type: ignore[attr-defined]
            item.config.option.video = "on"

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)  # outermost: after allure-pytest and suite.py set theirs
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
        report = (yield).get_result()
        if report.when == "call" and getattr(item.config.option, "reruns", None):
            _number_records(report, attempt(item))
        if report.when == "teardown" or not (report.failed or report.when == "call"):
            return
        first = getattr(item, "_checkout_first_failure", None)
        if attempt(item) == 1 or first is None:
            if report.failed:  # kept: if the retry fails too, this is the failure reported
                error = call.excinfo.value if call.excinfo is not None else None
                item._checkout_first_failure = (report.longrepr, class_of(error) if error else "",  # type: ignore[attr-defined]
                                                report.when)
            return
        if report.failed:
            longrepr, failure_class, _ = first
            said = str(longrepr)
            # what the retry said that the first attempt did not (its Error: line), else "the same way"
            new = [line.strip() for line in report.longreprtext.splitlines() if line.strip() and line not in said]
            how = next((line for line in new if line.startswith("Error:")), new[0] if new else "the same way")
            report.longrepr = f"{said}\n(failed again on retry {attempt(item) - 1}: {how})"
            report.failure_class = failure_class  # read by suite.py's collector (registered before this plugin)
            allure_flag(item, False, said)
        elif report.when == "call":
            said = str(first[0]).strip()
            item.user_properties.append((FLAKY, said))
            report.user_properties = list(item.user_properties)
            _number_records(report, attempt(item), flaky=True)
            allure_flag(item, True, f"passed on retry {attempt(item) - 1}; the first attempt failed:\n{said}")
        item._checkout_first_failure = None  # type: ignore[attr-defined]

    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config) -> Any:
        if report.when == "call" and report.passed and any(k == FLAKY for k, _ in report.user_properties):
            return FLAKY, "f", ("FLAKY", {"yellow": True})
        return None


def _number_records(report: pytest.TestReport, number: int, flaky: bool = False) -> None:
    """Each attempt's timings record (timings.json) says which attempt it was; a pass on retry is flaky."""
    for index, (key, value) in enumerate(report.user_properties):
        if key == TIMINGS:
            record = json.loads(str(value))
            record["attempt"] = number
            if flaky:
                record["flaky"] = True
            report.user_properties[index] = (key, json.dumps(record, indent=2))


def flaky_of(report: Any) -> str:
    """The first attempt's failure of a flow that passed on retry, else ''."""
    return next((str(v) for k, v in getattr(report, "user_properties", ()) if k == FLAKY), "")


def allure_flag(item: pytest.Item, flaky: bool, message: str) -> None:
    """Mark this attempt's Allure result: `statusDetails.flaky` (a pass on retry), the first attempt's message.

    allure-pytest has no call for it, so its listener's result for the item is updated before it is written."""
    listener = item.config.pluginmanager.get_plugin("allure_listener")
    cache, logger = getattr(listener, "_cache", None), getattr(listener, "allure_logger", None)
    uuid = cache.get(item.nodeid) if cache is not None else None
    result = logger.get_test(uuid) if uuid and logger is not None else None
    if result is None:
        return
    from allure_commons.model2 import StatusDetails

    details = result.statusDetails or StatusDetails()
    details.message = message
    if flaky:
        details.flaky = True
    result.statusDetails = details
