"""What the Allure results say: short status messages, no fixture rows, whole milliseconds.

`ResultsCleaner` is an allure-commons plugin (the same plugin manager allure-pytest's file writer
listens on): it sees each test result and fixture container just before it is written, and
  - drops the fixture rows of pytest's, pytest-playwright's and this tool's own fixtures, which
    allure-pytest lists as Set up / Tear down of every test (a user's own fixtures stay);
  - drops the "<lambda>" tear-down rows pytest >= 9.1's internal finalizers leave with no status
    (allure-python issue #918);
  - turns the test's status message into `<class>: <first line>`, the whole text staying the trace,
    so Allure's categories group by class, then by flow and step.
"""
from __future__ import annotations

from typing import Any, Iterable

import allure_commons
from allure_commons import plugin_manager
from allure_commons.model2 import StatusDetails

from checkout_tester.base.failure_classes import BY_NAME, classify

# Modules whose fixtures are machinery, not the test: pytest's, pytest-playwright's, ours, and plugins'.
MACHINERY = ("_pytest", "pytest", "pytest_playwright", "pytest_base_url", "checkout_tester", "xdist", "faker",
             "allure", "allure_pytest")
SUMMARY_CHARS = 240


def whole_ms(ms: float) -> int:
    """A duration in whole ms as the timings table prints it (timings.json keeps one decimal)."""
    return int(round(round(ms, 1)))


def short_message(text: str, failure_class: str = "") -> str:
    """`<class>: <first line of the failure>`: one line that Allure's categories group on."""
    first = next((line.strip() for line in (text or "").splitlines() if line.strip()), "failed")
    if len(first) > SUMMARY_CHARS:
        first = first[: SUMMARY_CHARS - 3] + "..."
    return f"{failure_class or classify(text)}: {first}"


def allure_reporter() -> Any:
    """allure-commons' reporter of the running allure-pytest listener, or None when no results are written."""
    for plugin in plugin_manager.get_plugins():
        reporter = getattr(plugin, "allure_logger", None)
        if reporter is not None and hasattr(reporter, "start_step"):
            return reporter
    return None


def machinery_fixtures(items: Iterable[Any]) -> set[str]:
    """Names of the fixtures the items use that come from pytest or a plugin (not from the user's conftest)."""
    hidden: set[str] = set()
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        for name, defs in (getattr(info, "name2fixturedefs", None) or {}).items():
            module = (getattr(getattr(defs[-1], "func", None), "__module__", "") or "") if defs else ""
            if module.split(".")[0] in MACHINERY:
                hidden.add(name)
    return hidden


class ResultsCleaner:
    """allure-commons plugin: rewrites results and containers in place before allure-pytest writes them."""

    def __init__(self) -> None:
        self.hidden: set[str] = set()

    @allure_commons.hookimpl(tryfirst=True)
    def report_container(self, container: Any) -> None:
        container.befores = [f for f in container.befores if not self._hidden(f)]
        container.afters = [f for f in container.afters if not self._hidden(f)]

    def _hidden(self, fixture: Any) -> bool:
        name, _, finalizer = str(fixture.name or "").partition("::")
        return name in self.hidden or (finalizer == "<lambda>" and fixture.status is None)

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result: Any) -> None:
        details = result.statusDetails
        trace = getattr(details, "trace", None) or ""
        if result.status not in ("failed", "broken") or not trace:
            return
        stated = classify(trace)
        if stated in BY_NAME and "Class:" in trace:  # one of ours: the engine's message with its class line
            result.statusDetails = StatusDetails(message=short_message(trace, stated), trace=trace)


def install(cleaner: ResultsCleaner) -> None:
    """Register the cleaner with allure-commons (once per process)."""
    if not plugin_manager.is_registered(cleaner):
        plugin_manager.register(cleaner, "checkout-tester-results")


def uninstall(cleaner: ResultsCleaner) -> None:
    """Unregister it at the end of the pytest run."""
    if plugin_manager.is_registered(cleaner):
        plugin_manager.unregister(cleaner)
