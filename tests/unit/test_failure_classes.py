"""Detector policies and failure classes: one table for the engine, the console and Allure."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from checkout_tester.base import failure_classes as classes
from checkout_tester.base.errors import FlowError
from checkout_tester.flow.detector_policy import DetectorSettings, check_override
from checkout_tester.flow.loader import clear_cache, load_flow
from checkout_tester.pytest.suite import FlowResult
from checkout_tester.report.allure import CATEGORIES, write_results_metadata
from checkout_tester.report.console import print_summary
from checkout_tester.target.config import Target

ALL = ["valid input rejected", "visible error message", "page or console error", "server error", "request failed",
       "email missing", "accessibility violation", "expected content missing", "element not found",
       "timing budget exceeded", "store unreachable", "browser crashed", "interrupted"]
BROKEN = ("store unreachable", "browser crashed", "interrupted")  # infrastructure: Allure "broken"


def test_every_class_has_one_category() -> None:
    assert sorted(c.name for c in classes.CLASSES) == sorted(ALL)
    names = [c["name"] for c in CATEGORIES]
    assert names[:-1] == [c.category for c in classes.CLASSES] and names[-1] == "Broken tests"
    broken = [c["name"] for c in CATEGORIES if c["matchedStatuses"] == ["broken"]]
    assert broken == ["Interrupted", "Browser crashed", "Store unreachable", "Broken tests"]


@pytest.mark.parametrize("name", ALL)
def test_a_stated_class_matches_exactly_one_category(name: str) -> None:
    message = f"Flow: step 3 `click x` failed at flows/x.flow.yaml:9\n{classes.class_line(name)}\n  Error: [pageerror] x"
    status = "broken" if name in BROKEN else "failed"
    matched = [c["name"] for c in CATEGORIES if "messageRegex" in c and status in c["matchedStatuses"]
               and re.fullmatch(c["messageRegex"], message)]
    assert matched == [classes.BY_NAME[name].category]
    assert classes.classify(message) == name


def test_text_fallback_when_no_class_is_stated() -> None:
    assert classes.classify("  Console:  [http] 503 GET /x") == "server error"
    assert classes.classify("store unreachable: http://x did not answer") == "store unreachable"
    assert classes.classify("anything else") == "expected content missing"
    assert classes.classify("  Class:    server error\n", stated="email missing") == "email missing"


def test_class_line_is_replaced_not_added() -> None:
    once = classes.with_class_line("a failed\n  Error: x", "server error")
    twice = classes.with_class_line(once, "valid input rejected")
    assert twice == "a failed\n  Class:    valid input rejected\n  Error: x"


def test_categories_file_is_written(tmp_path: Path) -> None:
    write_results_metadata(tmp_path, {"target": "demo"})
    assert json.loads((tmp_path / "categories.json").read_text()) == CATEGORIES


def test_policies_merge_target_then_flow() -> None:
    target = Target(detectors={"console_errors": {"policy": "warn", "allow": ["favicon"]}, "http_errors": "ignore"})
    merged = target.detectors.merged({"console_errors": {"allow": ["widget.js"]}, "http_errors": "fail"})
    assert merged.console_errors.policy == "warn" and merged.console_errors.allow == ("favicon", "widget.js")
    assert merged.http_errors.policy == "fail"
    assert merged.failed_requests.policy == "fail"  # every detector fails by default
    assert merged.console_errors.allows("GET /favicon.ICO 404") == "favicon"


@pytest.mark.parametrize(("raw", "message"), [
    ({"console_error": "warn"}, "unknown detector 'console_error'"),
    ({"http_errors": "loud"}, "detectors.http_errors.policy"),
    ({"http_errors": {"allow": ["("]}}, "is not a regular expression"),
    ("warn", "detectors must be a mapping"),
])
def test_bad_flow_detectors(raw: object, message: str) -> None:
    assert message in check_override(raw)[0][1]


def test_loader_takes_detectors_and_rejects_mistakes(tmp_path: Path) -> None:
    clear_cache()
    good = tmp_path / "good.flow.yaml"
    good.write_text("name: x\ndetectors: {http_errors: {allow: [/missing]}}\nsteps:\n  - goto: /\n")
    assert load_flow(good, root=tmp_path).detectors == {"http_errors": {"allow": ["/missing"]}}
    bad = tmp_path / "bad.flow.yaml"
    bad.write_text("name: x\ndetectors:\n  http_error: warn\nsteps:\n  - goto: /\n")
    with pytest.raises(FlowError, match=r"unknown detector 'http_error'.* at bad.flow.yaml:3"):
        load_flow(bad, root=tmp_path)


def test_console_summary_shows_detector_warnings() -> None:
    console = Console(record=True, width=200)
    result = FlowResult("flows/x.flow.yaml::x", "passed", 1.0, warnings=["WARNING: [http] 404 GET /gone"])
    print_summary([result], console)
    assert "warning flows/x.flow.yaml::x: WARNING: [http] 404 GET /gone" in console.export_text()


def test_shipped_target_config_sets_patterns_and_policies() -> None:
    from checkout_tester.target.config_file import load_target

    target = load_target(Path(__file__).parents[2] / "config/demo.yaml")
    assert any(re.search(p, "unknown email format", re.IGNORECASE) for p in target.error_patterns)
    assert DetectorSettings() == target.detectors  # all four on, policy fail, nothing allowed
