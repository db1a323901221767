"""Run a suite through pytest in this process and collect one result per flow variant."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.base.failure_classes import BY_NAME, INTERRUPTED, class_of, classify
from checkout_tester.observe.detectors import DetectorWarning
from checkout_tester.pytest.retry import flaky_of
from checkout_tester.report.console import print_summary
from checkout_tester.report.timings import degraded_of

RESULTS = "reports/allure-results"


@dataclass
class FlowResult:
    nodeid: str
    outcome: str  # passed | failed | broken | skipped
    duration_s: float
    message: str = ""
    failure_class: str = ""
    degraded: str = ""  # budget warnings of a passed flow, one per line
    warnings: list[str] = field(default_factory=list)  # detector findings with policy `warn`
    expected_failure: str = ""  # a variant row's expect_failure that was met: it passed by failing so
    flaky: str = ""  # passed on retry: the first attempt's failure (pytest/retry.py)


@dataclass
class SuiteResult:
    exit_code: int
    results: list[FlowResult] = field(default_factory=list)


class _Collector:
    """pytest plugin object gathering each item's final outcome (setup/call failures included)."""

    def __init__(self) -> None:
        self.results: dict[str, FlowResult] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
        report = (yield).get_result()
        if call.excinfo is not None:  # the class the engine set, rather than one guessed from the text
            report.failure_class = class_of(call.excinfo.value)

    def pytest_warning_recorded(self, warning_message: Any, nodeid: str) -> None:
        if issubclass(warning_message.category, DetectorWarning) and nodeid in self.results:
            self.results[nodeid].warnings.append(str(warning_message.message))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        seen = self.results.get(report.nodeid)
        if report.when == "call" or (report.when == "setup" and not report.passed):
            message = report.longreprtext if report.failed else ""
            outcome: str = report.outcome
            failure_class = classify(message, getattr(report, "failure_class", "")) if report.failed else ""
            if failure_class in BY_NAME and BY_NAME[failure_class].status == "broken":
                outcome = "interrupted" if failure_class == INTERRUPTED else "broken"
            flaky = flaky_of(report) if report.passed else ""
            if flaky:  # passed on retry: never green (Playwright Test's "flaky"), the first failure kept
                outcome, message = "flaky", flaky
            earlier = seen.duration_s if seen is not None and seen.outcome == "rerun" else 0.0
            self.results[report.nodeid] = FlowResult(report.nodeid, outcome, report.duration + earlier, message,
                                                     failure_class, degraded_of(report) if report.passed else "",
                                                     expected_failure=_expected_failure(report), flaky=flaky)
        elif report.when == "teardown" and seen is not None:
            seen.duration_s += report.duration


def _expected_failure(report: pytest.TestReport) -> str:
    return next((str(v) for k, v in report.user_properties if k == "expected_failure"), "") if report.passed else ""


def pytest_args(paths: list[str], target: str | None = None, faults: list[str] | None = None,
                variables: list[str] | None = None, markers: str | None = None,
                extra: list[str] | None = None, command: str = "") -> list[str]:
    """The pytest command line a suite run uses; reports go under reports/, the user's options last (they win)."""
    # `--opt=value`, never `--opt value`: pytest takes any existing path among the bare arguments into
    # its rootdir choice, so reports/allure-results would move the rootdir once it exists.
    # --clean-alluredir: each run's report shows that run; report.py carries history over for trends.
    args = list(paths) + [f"--alluredir={RESULTS}", "--clean-alluredir", "--junitxml=reports/junit.xml",
                          # no trace on a first attempt (it costs ~1.5x on a real store): a failed flow runs
                          # again at once with trace, video and HAR (pytest/retry.py); the user's options win
                          "--retries=1", "--screenshot=only-on-failure",
                          "--output=reports/test-results", f"--rootdir={Path.cwd()}", "--flows-default=flows",
                          "-q", "--tb=no", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if command:
        args.append(f"--checkout-command={command}")
    if target:
        args.append(f"--target={target}")
    args += [f"--store-fault={fault}" for fault in faults or []]
    args += [f"--var={var}" for var in variables or []]
    if markers:
        args += ["-m", markers]
    return args + list(extra or [])


def run_suite(paths: list[str], target: str | None = None, faults: list[str] | None = None,
              variables: list[str] | None = None, markers: str | None = None,
              extra: list[str] | None = None, summary: bool = True, command: str = "") -> SuiteResult:
    """Run flows with pytest in this process; print the summary table."""
    collector = _Collector()
    code = pytest.main(pytest_args(paths, target, faults, variables, markers, extra, command), plugins=[collector])
    result = SuiteResult(int(code), list(collector.results.values()))
    if summary and (result.results or result.exit_code != 2):  # 2: preflight or usage errors, printed already
        print_summary(result.results)
    return result
