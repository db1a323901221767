"""JUnit XML for CI: `file` and `line` of the flow on each testcase, the failure class and "degraded" as
properties, and none of the bulk JSON (timings, run records) that travels in user_properties between processes."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Generator

import pytest

from checkout_tester.base.redaction import Redactor
from checkout_tester.pytest.push import PROPERTY as RUN_RECORD
from checkout_tester.pytest.results import ResultCollector
from checkout_tester.report.pictures import PROPERTY as PICTURE
from checkout_tester.report.timings import PROPERTY as TIMINGS

BULK = {TIMINGS, RUN_RECORD, PICTURE}  # JSON documents: timings.json and Allure carry them, JUnit does not
LOCATION = "checkout-tester-location"  # a property only on its way to the file/line attributes


class JunitProperties:
    """Plugin of the controlling process: what each testcase of --junitxml says."""

    def __init__(self, path: str, results: ResultCollector, redactor: Redactor) -> None:
        self.path, self.results, self.redactor = Path(path), results, redactor

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> Generator[None, Any, Any]:
        # pytest's junitxml writes the teardown report's user_properties: ours replace them while it does.
        result = self.results.results.get(report.nodeid)
        if report.when != "teardown" or result is None:
            return (yield)
        given = report.user_properties
        report.user_properties = properties(given, result, self.redactor)
        try:
            return (yield)
        finally:
            report.user_properties = given

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self) -> None:
        if self.path.is_file():  # written by now: pytest's junitxml finishes before trylast hooks
            lift_locations(self.path)


def properties(given: list[tuple[str, object]], result: Any, redactor: Redactor) -> list[tuple[str, object]]:
    """The testcase's properties: the user's and pytest-playwright's, the class, degraded; no JSON."""
    kept = [(key, redactor(str(value))) for key, value in given if key not in BULK]
    if result.failure_class:
        kept.append(("failure_class", result.failure_class))
    if result.failed_at:
        kept.append(("failed_step", result.failed_at))
    if result.degraded:
        kept += [("degraded", "true"), ("budget_warnings", redactor(result.degraded))]
    if result.flow_at:
        kept.append((LOCATION, result.flow_at))
    return kept


def lift_locations(path: Path) -> None:
    """Move each testcase's location property into `file` and `line` attributes (1-based, as editors count)."""
    tree = ET.parse(path)
    for case in tree.getroot().iter("testcase"):
        props = case.find("properties")
        if props is None:
            continue
        for prop in props.findall("property"):
            if prop.get("name") == LOCATION:
                file, _, line = str(prop.get("value", "")).rpartition(":")
                case.set("file", file)
                case.set("line", line)
                props.remove(prop)
        if not len(props):
            case.remove(props)
    for suite in tree.getroot().iter("testsuite"):
        _keep_last_attempts(suite)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _keep_last_attempts(suite: ET.Element) -> None:
    """--retries: pytest writes a testcase per attempt; CI counts tests, so only the last attempt stays, with
    a `retries` property (a pass on retry also carries `flaky`, the first attempt's failure)."""
    cases = suite.findall("testcase")
    last = {(c.get("classname"), c.get("name")): c for c in cases}
    for case in cases:
        key = (case.get("classname"), case.get("name"))
        if last[key] is not case:
            suite.remove(case)
    for case in last.values():
        attempts = sum(1 for c in cases if (c.get("classname"), c.get("name")) == (case.get("classname"), case.get("name")))
        if attempts > 1:
            props = case.find("properties")
            if props is None:
                props = ET.Element("properties")
                case.insert(0, props)
            ET.SubElement(props, "property", name="retries", value=str(attempts - 1))
    if suite.get("tests") is not None:
        suite.set("tests", str(len(last)))
