"""Accessibility results and policy without a browser: impacts, the readable summary, the failure message."""
from __future__ import annotations

from pathlib import Path

import pytest

from checkout_tester.base.errors import FlowError
from checkout_tester.flow.loader import clear_cache, load_flow, validate_paths
from checkout_tester.observe.accessibility import failure_message, summary, violations
from checkout_tester.run.failure_text import classify
from checkout_tester.target.config import AccessibilitySettings, Target

AXE = {"violations": [
    {"id": "color-contrast", "impact": "serious", "help": "Elements must meet minimum color contrast ratio thresholds",
     "helpUrl": "https://dequeuniversity.com/rules/axe/4.10/color-contrast",
     "nodes": [{"target": [".price"], "html": "<span class=price>"}]},
    {"id": "region", "impact": "moderate", "help": "All page content should be contained by landmarks",
     "helpUrl": "https://dequeuniversity.com/rules/axe/4.10/region", "nodes": [{"target": ["footer > p"]}]},
    {"id": "label", "impact": "critical", "help": "Form elements must have labels",
     "helpUrl": "https://dequeuniversity.com/rules/axe/4.10/label",
     "nodes": [{"target": ["#postal_code"]}, {"target": [["iframe", "#card"]]}]},
]}


def test_violations_come_worst_first_with_their_elements() -> None:
    found = violations(AXE)
    assert [(v.rule, v.impact) for v in found] == [("label", "critical"), ("color-contrast", "serious"),
                                                   ("region", "moderate")]
    assert found[0].targets == ("#postal_code", "iframe #card")


def test_summary_counts_by_impact_and_lists_each_element() -> None:
    text = summary("http://shop.test/checkout", violations(AXE))
    assert text.splitlines()[0] == ("http://shop.test/checkout: 3 accessibility violations "
                                    "(1 critical, 1 serious, 1 moderate)")
    assert "- [critical] label: Form elements must have labels" in text and "    #postal_code" in text
    assert summary("http://shop.test/", []) == "http://shop.test/: no accessibility violations"


def test_failure_message_names_rule_impact_element_and_page() -> None:
    failing = [v for v in violations(AXE) if v.impact in ("critical", "serious")]
    message = failure_message("http://shop.test/checkout", failing, ["critical", "serious"])
    assert message.startswith("accessibility violation: label (critical) at #postal_code, iframe #card "
                              "on http://shop.test/checkout: Form elements must have labels")
    assert "also: color-contrast (serious) at .price" in message
    assert classify(message) == "accessibility violation"


def test_target_setting_defaults_and_mistakes() -> None:
    assert Target().accessibility == AccessibilitySettings(audit="off", fail_on=["critical", "serious"])
    assert Target(accessibility={"audit": "every_page", "fail_on": ["critical"]}).accessibility.fail_on == ["critical"]
    with pytest.raises(ValueError):
        Target(accessibility={"audit": "sometimes"})


def test_audit_step_is_checked_at_load_time(tmp_path: Path) -> None:
    clear_cache()
    good = tmp_path / "good.flow.yaml"
    good.write_text("name: A\nsteps:\n  - goto: /\n  - audit_accessibility: home page\n"
                    "  - audit_accessibility: {fail_on: [critical], exclude: ['#chat-widget']}\n")
    steps = load_flow(good).steps
    assert steps[1].args.name == "home page" and steps[2].args.fail_on == ["critical"]
    bad = tmp_path / "bad.flow.yaml"
    bad.write_text("name: B\nsteps:\n  - audit_accessibility: {fail_on: [severe]}\n")
    (error,) = validate_paths([bad])
    assert isinstance(error, FlowError) and "'severe' is not an axe impact" in str(error) and "bad.flow.yaml:3" in str(error)
