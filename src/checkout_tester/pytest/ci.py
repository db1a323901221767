"""What the controlling process adds for people and CI: results per flow variant, live lines, JUnit, GitHub."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.base.redaction import Redactor
from checkout_tester.pytest import live
from checkout_tester.pytest.junit import JunitProperties
from checkout_tester.pytest.results import FlowResult, ResultCollector, relative
from checkout_tester.report import github
from checkout_tester.report.console import counts_line
from checkout_tester.report.timings import summarise


def register(config: pytest.Config, redactor: Redactor) -> None:
    """Register the controller's result plugins (xdist workers hand their reports to it)."""
    if hasattr(config, "workerinput"):
        return
    results = ResultCollector()
    config.pluginmanager.register(results, live.RESULTS_PLUGIN)
    config.pluginmanager.register(live, "checkout-tester-live")  # the class in pytest's own -v lines
    xmlpath = config.getoption("xmlpath", None)
    if xmlpath:
        config.pluginmanager.register(JunitProperties(xmlpath, results, redactor), "checkout-tester-junit")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        config.pluginmanager.register(GithubOutputs(results, redactor), "checkout-tester-github")


class GithubOutputs:
    """On GitHub Actions: annotations in the log (GitHub reads them from stdout), the job summary file."""

    def __init__(self, results: ResultCollector, redactor: Redactor) -> None:
        self.results, self.redactor = results, redactor

    def masked(self) -> list[FlowResult]:
        """The results with every text that reaches GitHub masked again (messages are masked by the runner)."""
        return [dataclasses.replace(r, message=self.redactor(r.message), degraded=self.redactor(r.degraded),
                                    nodeid=self.redactor(r.nodeid)) for r in self.results.results.values()]

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = os.environ.get("GITHUB_STEP_SUMMARY")
        results = self.masked()
        if not path or not results:
            return
        summary = self.redactor.deep(summarise(self.results.records)) if self.results.records else {}
        with open(path, "a", encoding="utf-8") as out:  # appended: other steps of the job write there too
            out.write(github.job_summary(results, summary, counts_line(results)))

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        workspace = os.environ.get("GITHUB_WORKSPACE")
        start = config.invocation_params.dir

        def place(where: str) -> str:  # GitHub wants paths relative to the repository, not to the run's folder
            file, _, line = where.rpartition(":")
            return f"{relative(start / file, Path(workspace))}:{line}" if workspace and file else where

        for line in github.commands(self.masked(), place):
            terminalreporter.write_line(line)
