"""Run a suite through pytest in this process and collect one result per flow variant."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from checkout_tester.failure import classify
from checkout_tester.reporting.console import print_summary

RESULTS = "reports/allure-results"


@dataclass
class FlowResult:
    nodeid: str
    outcome: str  # passed | failed | broken | skipped
    duration_s: float
    message: str = ""
    failure_class: str = ""


@dataclass
class SuiteResult:
    exit_code: int
    results: list[FlowResult] = field(default_factory=list)


class _Collector:
    """pytest plugin object gathering each item's final outcome (setup/call failures included)."""

    def __init__(self) -> None:
        self.results: dict[str, FlowResult] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        seen = self.results.get(report.nodeid)
        if report.when == "call" or (report.when == "setup" and not report.passed):
            message = report.longreprtext if report.failed else ""
            outcome = report.outcome
            failure_class = classify(message) if report.failed else ""
            if failure_class == "store unreachable":
                outcome = "broken"
            self.results[report.nodeid] = FlowResult(report.nodeid, outcome, report.duration, message, failure_class)
        elif report.when == "teardown" and seen is not None:
            seen.duration_s += report.duration


def pytest_args(paths: list[str], target: str | None = None, faults: list[str] | None = None,
                variables: list[str] | None = None, markers: str | None = None,
                extra: list[str] | None = None) -> list[str]:
    """The pytest command line a suite run uses; reports go under reports/."""
    args = list(paths) + ["--alluredir", RESULTS, "--junitxml", "reports/junit.xml",
                          "--tracing", "retain-on-failure", "--screenshot", "only-on-failure",
                          "--output", "reports/test-results", "-p", "no:cacheprovider", "-q", "--tb=no",
                          "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if target:
        args += ["--target", target]
    for fault in faults or []:
        args += ["--store-fault", fault]
    for var in variables or []:
        args += ["--var", var]
    if markers:
        args += ["-m", markers]
    return args + list(extra or [])


def run_suite(paths: list[str], target: str | None = None, faults: list[str] | None = None,
              variables: list[str] | None = None, markers: str | None = None,
              extra: list[str] | None = None, summary: bool = True) -> SuiteResult:
    """Run flows with pytest in this process; print the summary table."""
    collector = _Collector()
    code = pytest.main(pytest_args(paths, target, faults, variables, markers, extra), plugins=[collector])
    result = SuiteResult(int(code), list(collector.results.values()))
    if summary:
        print_summary(result.results)
    return result
