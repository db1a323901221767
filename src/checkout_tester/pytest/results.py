"""One result per flow variant, gathered from pytest's reports (also those xdist workers send the controller)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generator

import pytest

from checkout_tester.base.failure_classes import BY_NAME, INTERRUPTED, class_of, classify
from checkout_tester.observe.detectors import DetectorWarning
from checkout_tester.pytest.retry import flaky_of
from checkout_tester.report.timings import degraded_of, records_of

_XDIST_HEADER = re.compile(r"\A\[gw\d+\] .* -- Python .*\n")  # "[gw0] linux -- Python 3.11.7 /usr/bin/python"
# Report attributes set where the flow ran; pytest copies a report's attributes to the xdist controller.
CLASS_ATTR, STEP_ATTR, FLOW_ATTR = "failure_class", "checkout_failed_at", "checkout_flow_at"


@dataclass
class FlowResult:
    nodeid: str
    outcome: str  # passed | failed | broken | interrupted | skipped
    duration_s: float
    message: str = ""
    failure_class: str = ""
    degraded: str = ""  # budget warnings of a passed flow, one per line
    warnings: list[str] = field(default_factory=list)  # detector findings with policy `warn`
    expected_failure: str = ""  # a variant row's expect_failure that was met: it passed by failing so
    flow_at: str = ""  # file:line of the flow, relative to the folder the run started in
    failed_at: str = ""  # file:line of the failing step ('' when no step failed)
    steps: list[dict[str, Any]] = field(default_factory=list)  # the run's step times (timings record)
    flaky: str = ""  # passed on retry: the first attempt's failure (pytest/retry.py)

    @property
    def status(self) -> str:
        """What the console calls it: passed, degraded, failed as expected, failed, broken ..."""
        if self.expected_failure:
            return "failed as expected"
        return "degraded" if self.outcome == "passed" and self.degraded else self.outcome


def relative(path: str | os.PathLike[str], start: Path) -> str:
    """A path as the user sees it from the folder the run started in."""
    absolute = Path(path) if Path(path).is_absolute() else Path.cwd() / path
    return Path(os.path.relpath(absolute, start)).as_posix()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, Any]:
    """Where the flow ran: put its class, its failing step's file:line and its own file:line on the report."""
    report = yield
    flow = getattr(item, "flow", None)
    start = item.config.invocation_params.dir
    if flow is not None:
        setattr(report, FLOW_ATTR, f"{relative(item.path, start)}:{flow.source.line}")
    if call.excinfo is not None:
        setattr(report, CLASS_ATTR, class_of(call.excinfo.value))  # the class the engine set, not a guess
        step = getattr(call.excinfo.value, "step", None)
        source = getattr(step, "source", None)
        if source is not None:
            setattr(report, STEP_ATTR, f"{relative(source.file, start)}:{source.line}")
    return report


class ResultCollector:
    """Plugin of the controlling process: each item's final result; `finished` hears of each as it ends."""

    def __init__(self) -> None:
        self.results: dict[str, FlowResult] = {}
        self.records: list[dict[str, Any]] = []  # the timings records of every run (report/timings.py)
        self.finished: list[Callable[[FlowResult], None]] = []

    def pytest_warning_recorded(self, warning_message: Any, nodeid: str) -> None:
        if issubclass(warning_message.category, DetectorWarning) and nodeid in self.results:
            self.results[nodeid].warnings.append(str(warning_message.message))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        seen = self.results.get(report.nodeid)
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.results[report.nodeid] = result_of(report)
            if seen is not None and seen.outcome == "rerun":  # an earlier attempt's time counts too
                self.results[report.nodeid].duration_s += seen.duration_s
            records = records_of(report)
            self.records += records
            self.results[report.nodeid].steps = [s for r in records for s in r.get("step_times", [])]
        elif report.when == "teardown" and seen is not None:
            seen.duration_s += report.duration
            for listener in self.finished:
                listener(seen)


def result_of(report: pytest.TestReport) -> FlowResult:
    """A flow variant's result from its call report (or its setup report, when setup failed)."""
    message = _XDIST_HEADER.sub("", report.longreprtext) if report.failed else ""
    outcome: str = report.outcome
    failure_class = classify(message, getattr(report, CLASS_ATTR, "")) if report.failed else ""
    if failure_class in BY_NAME and BY_NAME[failure_class].status == "broken":
        outcome = "interrupted" if failure_class == INTERRUPTED else "broken"
    expected = next((str(v) for k, v in report.user_properties if k == "expected_failure"), "") if report.passed else ""
    flaky = flaky_of(report) if report.passed else ""
    if flaky:  # passed on retry: never green (Playwright Test's "flaky"), the first failure kept
        outcome, message = "flaky", flaky
    flow_at = getattr(report, FLOW_ATTR, "") or f"{report.location[0]}:{(report.location[1] or 0) + 1}"
    return FlowResult(report.nodeid, outcome, report.duration, message, failure_class,
                      degraded_of(report) if report.passed else "", expected_failure=expected,
                      flow_at=flow_at, failed_at=getattr(report, STEP_ATTR, "") if report.failed else "", flaky=flaky)
