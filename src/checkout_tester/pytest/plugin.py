"""pytest plugin: flow files become test items; the engine does the work, pytest-playwright the browser."""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any, Generator, Iterator

import pytest

from checkout_tester.base.errors import CheckoutTesterError, FlowError, StepFailed, StoreUnreachable
from checkout_tester.base.redaction import Redactor, scrub_zip
from checkout_tester.flow.loader import load_flow
from checkout_tester.flow.model import Flow, Variant
from checkout_tester.pytest import (
    ci,
    fixtures,
    history as history_pytest,
    order,
    preflight as preflight_pytest,
    push,
    results,
    retry,
    secrets,
    shard,
    shared_mail,
    timings as timings_pytest,
)
from checkout_tester.pytest.summary import SummaryPlugin
from checkout_tester.report import pictures
from checkout_tester.run import browser as browser_setup, interrupts, invocation
from checkout_tester.target import browser_state as browserstate

FLOW_SUFFIX = ".flow.yaml"
# Allure results by default (reports/allure-results), --no-allure, no fixture rows, short messages.
pytest_plugins = ["checkout_tester.pytest.allure_setup"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("checkout-tester", "checkout-tester flows")
    group.addoption("--target", default=None, help="target config (default: config/demo.yaml or the built-in demo store)")
    group.addoption("--store-fault", action="append", default=[], metavar="NAME",
                    help="switch on a demo store fault (repeatable), e.g. uppercase-email, slow:/cart:800")
    group.addoption("--var", action="append", default=[], metavar="NAME=VALUE",
                    help="set a flow variable for this run (repeatable), e.g. --var email=Janet@Example.com")
    secrets.add_option(group)  # --secret NAME=VALUE
    group.addoption("--artifacts", default="reports/artifacts", help="folder for screenshots and logs")
    timings_pytest.add_options(group)  # --repeat N, --timings-json PATH
    push.add_options(group)  # --pushgateway URL, --location NAME
    shard.add_options(group)  # --shard I/N, --shard-timings PATH
    history_pytest.add_options(group)  # --history URL
    retry.add_options(group)  # --retries N
    # Set by `checkout-tester run`: what to collect when no path is given, how the user invoked it.
    group.addoption("--flows-default", default=None, help=argparse.SUPPRESS)
    group.addoption("--checkout-command", default="", help=argparse.SUPPRESS)


def pytest_configure(config: pytest.Config) -> None:
    interrupts.reset()  # a new run in this process starts unasked
    default = config.getoption("--flows-default")
    if default and config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [default]  # `checkout-tester run -k signup`: flows/, not the rootdir's testpaths
    if not config.option.checkout_command and not hasattr(config, "workerinput"):
        config.option.checkout_command = invocation.pytest_command()  # xdist hands config.option to workers
    preflight_pytest.configure(config)  # options, target config, then preflight: exit code 2 before any browser
    # Registered now, after pytest-playwright's own base_url fallback, so these fixtures win.
    config.pluginmanager.register(fixtures, "checkout-tester-fixtures")
    timings = timings_pytest.TimingsPlugin(config, FlowItem, _flow_test)
    config.pluginmanager.register(timings, "checkout-tester-timings")
    config.pluginmanager.register(SummaryPlugin(config, timings), "checkout-tester-summary")  # reports/summary.html
    push.register(config)  # with --pushgateway: a RunRecord per flow test, pushed once at the end
    config.pluginmanager.register(results, "checkout-tester-report-facts")  # class and failing step on reports
    # the controller's results per flow variant, pytest -v's class, JUnit's file/line, GitHub's annotations
    ci.register(config, _redactor(config))
    shard.register(config)  # with --shard: this job's share of the items
    order.register(config)  # under xdist: the longest flows first, one on each worker
    if not getattr(config, "_checkout_problems", None):  # -n N and a fixed SMTP port: one sink, every worker reads it
        shared_mail.register(config, fixtures.session_target(config))
    history_pytest.register(config)  # with --history: each RunRecord stored as its test ends
    retry.configure(config)  # --retries: a failed flow runs again with trace, video and HAR (ffmpeg set up first)
    alluredir = config.getoption("allure_report_dir", None)  # xdist workers' pictures are read back from there
    pictures.results_dir = Path(alluredir) if alluredir else None
    pictures.relay = hasattr(config, "workerinput") and pictures.results_dir is not None
    if config.getoption("--video", "off") != "off":
        browser_setup.ensure_ffmpeg()
    if config.getoption("--headed", False):
        try:
            browser_setup.ensure_display()
        except RuntimeError as exc:
            raise pytest.UsageError(str(exc)) from None


def _redactor(config: pytest.Config) -> Redactor:
    """The target's secrets, to mask what the controller writes (a broken target: preflight reports it)."""
    try:
        return Redactor(fixtures.session_target(config).secret_values())
    except pytest.UsageError:
        return Redactor()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(FLOW_SUFFIX):
        # Ids relative to the folder pytest was started in, not to its rootdir (which moves with the
        # arguments): the same on every run, so Allure history holds, and `pytest <id>` works from there.
        nodeid = Path(os.path.relpath(file_path, parent.config.invocation_params.dir)).as_posix()
        return FlowFile.from_parent(parent, path=file_path, nodeid=nodeid)
    return None


class FlowFile(pytest.File):
    """A *.flow.yaml file: one item per variant row."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            flow = load_flow(self.path)
        except FlowError as exc:
            raise self.CollectError(str(exc)) from None
        base = self.path.name[: -len(FLOW_SUFFIX)]
        for variant in flow.variant_rows:
            name = f"{base}[{variant.id}]" if variant.id else base
            item = FlowItem.from_parent(self, name=name, callobj=_flow_test)
            item.flow, item.variant = flow, variant
            state = browserstate.marker_args(flow)
            if state is not None:  # the flow's own storage_state: a context option (pytest-playwright's marker)
                item.add_marker(pytest.mark.browser_context_args(**state))
            for tag in flow.tags:
                self.config.addinivalue_line("markers", f"{tag}: flow tag")
                item.add_marker(tag)
            yield item


def _flow_test(checkout_state: Any, page: Any, checkout_runner: Any) -> None:
    checkout_runner()  # checkout_state first: a missing storage state is a clear failure, not a traceback


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    """A variant that failed as its row expects passed; the console says so ("x", FAILED AS EXPECTED)."""
    if report.when == "call" and report.passed and any(k == "expected_failure" for k, _ in report.user_properties):
        return "failed as expected", "x", "FAILED AS EXPECTED"
    return None


class FlowItem(pytest.Function):
    """One flow variant; reported at its YAML line, failing with the engine's message."""

    flow: Flow
    variant: Variant

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.flow.source.line - 1, f"{self.flow.name} [{self.variant.id}]" if self.variant.id else self.flow.name

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, (StepFailed, StoreUnreachable, CheckoutTesterError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)  # pytest's Function.repr_failure takes no style


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, None]:
    # Where flows run (not in an xdist controller): Ctrl-C / SIGTERM stop at the next step, cleanly.
    interrupts.install()
    yield
    if interrupts.requested():
        item.session.shouldstop = f"interrupted by {interrupts.requested()}"  # the reports are written as usual


def pytest_unconfigure(config: pytest.Config) -> None:
    interrupts.uninstall()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if pictures.relay:
        return
    for key, value in report.user_properties:  # a worker's pictures: one drawing process for the whole run
        if key == pictures.PROPERTY:
            given = json.loads(str(value))
            pictures.draw_file(given["chart"], given["data"], given["file"])


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    pictures.wait()  # the timing pictures drawn while flows ran are in the Allure results before anyone reads them


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
    if pictures.relay:  # an xdist worker hands its timing pictures to the controller, which draws them all
        item.user_properties.extend((pictures.PROPERTY, picture) for picture in pictures.take_relayed())
    outcome = yield
    report = outcome.get_result()
    runner = getattr(item, "_checkout_runner", None)
    if report.when != "teardown" or runner is None:
        return
    # pytest-playwright has written its artifacts by now: scrub secrets out of traces, attach them.
    import allure

    for key, value in report.user_properties:
        if key == "playwright_trace":
            scrub_zip(value, runner.redactor)
            allure.attach.file(value, name="Playwright trace (open with `playwright show-trace`)", extension="zip")
        elif key == "playwright_screenshot":
            allure.attach.file(value, name="screenshot on failure", attachment_type=allure.attachment_type.PNG)
        elif key == "playwright_video":
            allure.attach.file(value, name="video", attachment_type=allure.attachment_type.WEBM)
    retry.attach_har(item, runner.redactor)
