"""Run a suite through pytest in this process and collect one result per flow variant."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from checkout_tester.pytest.live import LiveLines
from checkout_tester.pytest.results import FlowResult
from checkout_tester.report.console import print_summary

RESULTS = "reports/allure-results"


@dataclass
class SuiteResult:
    exit_code: int
    results: list[FlowResult] = field(default_factory=list)


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
                          # (a failed flow's screenshot: pytest/fixtures.failure_screenshot)
                          "--retries=1",
                          "--output=reports/test-results", f"--rootdir={Path.cwd()}", "--flows-default=flows",
                          "-q", "--tb=no", "-W", "ignore::pytest.PytestAssertRewriteWarning",
                          # flows are YAML, not asserts: rewriting the plugins' modules cost ~1 s a start
                          # where bytecode is not cached (PYTHONDONTWRITEBYTECODE, as in many CI images)
                          "--assert=plain",
                          # Hypothesis's plugin (where it is installed) serves Python tests: ~0.2 s a run for none
                          "-p", "no:hypothesispytest",
                          # Faker's plugin: a session fixture per worker for Python tests (flows use Faker directly)
                          "-p", "no:faker",
                          # no dots, no [100%], whatever -v says: the live lines (live.py) show each test
                          "-o", "verbosity_test_cases=-1", "-o", "console_output_style=classic"]
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
    lines = LiveLines(offset=1, silent=not summary)  # offset: undo our -q, to see the user's own -q / -v
    code = pytest.main(pytest_args(paths, target, faults, variables, markers, extra, command), plugins=[lines])
    found = lines.results.results.values() if lines.results is not None else ()
    result = SuiteResult(int(code), list(found))
    listing = any(a in ("--collect-only", "--co") for a in extra or [])  # pytest's list is the answer
    if summary and not listing and (result.results or result.exit_code != 2):  # 2: usage errors, printed already
        print_summary(result.results, level=lines.level)
    return result
