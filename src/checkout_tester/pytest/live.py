"""Console progress: live lines under `checkout-tester run`, the class in pytest's own `-v` lines otherwise.

Under `checkout-tester run` the lines replace pytest's dots: one per flow variant as it finishes, printed by
the controlling process (so also under xdist `-n`), through pytest's terminal writer (colours only on a tty).
Under plain `pytest flows/` pytest's reporter stays in charge: `-v` already prints a line per test, and this
adds the failure class (`FAILED (valid input rejected)`) or `PASSED (degraded)` to it.
"""
from __future__ import annotations

from typing import Any, Generator

import pytest

from checkout_tester.pytest.results import CLASS_ATTR, FlowResult, ResultCollector
from checkout_tester.report.live import lines_for, render
from checkout_tester.report.timings import degraded_of

RESULTS_PLUGIN = "checkout-tester-results"


class LiveLines:
    """Prints each finished flow variant; `offset` undoes the `-q` that `checkout-tester run` gives pytest.

    The run also sets `verbosity_test_cases=-1`, so pytest prints a (blank) letter per test, never its own line."""

    def __init__(self, offset: int = 1, silent: bool = False) -> None:
        self.offset, self.silent = offset, silent
        self.level = 0  # -1 quiet, 0 default, 1 verbose: the user's -q / -v
        self.done = 0
        self.session: pytest.Session | None = None
        self.reporter: Any = None
        self.config: pytest.Config | None = None
        self.results: ResultCollector | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config
        self.level = max(-1, min(1, config.get_verbosity() + self.offset))
        self.reporter = config.pluginmanager.get_plugin("terminalreporter")
        self.results = config.pluginmanager.get_plugin(RESULTS_PLUGIN)
        if self.reporter is None or self.results is None:
            return
        self.reporter.showfspath = False  # no `flows/x.flow.yaml` prefixes waiting for dots
        self.results.finished.append(self.print_result)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report: pytest.TestReport) -> Generator[None, Any, Any]:
        category, _letter, word = yield
        return category, "", word  # no dot: the live line shows it (pytest's short summary still has the word)

    def print_result(self, result: FlowResult) -> None:
        """One finished flow variant: its line (and under -v its steps), written where pytest writes."""
        retrying = result.outcome == "rerun"  # a failed attempt that --retries runs again: the same counter
        self.done += 0 if retrying else 1
        total = self.session.testscollected if self.session is not None else 0
        lines = lines_for(result, self.level, self.done + retrying, total)
        if self.silent or not lines or self.reporter is None or self.config is None:
            return
        writer = self.config.get_terminal_writer()  # pytest's own: its width, its colour decision, its stream
        self.reporter.ensure_newline()
        for line in lines:
            self.reporter.write(render(line, writer.fullwidth, writer.hasmarkup), flush=True)


@pytest.hookimpl(wrapper=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Generator[None, Any, Any]:
    """Plain pytest -v: `FAILED (visible error message)`, `PASSED (degraded)`; letters and counts unchanged."""
    status = yield
    category, letter, word = status
    if report.when != "call" or not word or isinstance(word, tuple) or config.get_verbosity() <= 0:
        return status
    failure_class = str(report.__dict__.get(CLASS_ATTR, ""))
    if report.failed and failure_class:
        return category, letter, (f"{word} ({failure_class})", {"red": True})
    if report.passed and degraded_of(report):
        return category, letter, (f"{word} (degraded)", {"yellow": True})
    return status
