"""Budgets without a browser: parsing, merging target < flow < step, tiers, messages, percentiles."""
from __future__ import annotations

from pathlib import Path

import pytest

from checkout_tester.budgets import Breach, Budgets, budget_problems, step_limit
from checkout_tester.failure import classify
from checkout_tester.loader import load_flow
from checkout_tester.reporting.timings import stats, summarise, table
from checkout_tester.stepargs import ClickArgs


def test_default_page_load_budget_is_two_seconds_warn() -> None:
    budgets = Budgets()
    assert budgets.check("page_load", 1999) is None
    breach = budgets.check("page_load", 2310, url="http://shop/cart")
    assert breach is not None and breach.tier == "warn"
    assert breach.figures == "Actual: 2310 ms / Limit: 2000 ms"


def test_the_flow_overrides_the_target_tier_by_tier() -> None:
    target = {"page_load": {"warn": "2s", "fail": "4s"}, "cls": {"warn": 0.1, "fail": 0.25}}
    budgets = Budgets(target, {"page_load": "3s", "step": {"fail": "5s"}, "actions": 25})
    assert budgets.check("page_load", 3500).tier == "warn"  # type: ignore[union-attr]
    assert budgets.check("page_load", 4100).tier == "fail"  # type: ignore[union-attr]
    assert budgets.check("cls", 0.3).figures == "Actual: 0.3 / Limit: 0.25"  # type: ignore[union-attr]
    assert budgets.check("step", 4000) is None and budgets.check("step", 5001).tier == "fail"  # type: ignore[union-attr]
    assert budgets.check("actions", 26).tier == "warn"  # type: ignore[union-attr]
    assert Budgets({"page_load": {"warn": None}}).check("page_load", 9000) is None


def test_a_step_budget_replaces_the_flow_step_budget() -> None:
    own = step_limit({"warn": "1s", "fail": "3s"})
    assert Budgets({"step": {"fail": "500ms"}}).check("step", 800, override=own) is None
    assert ClickArgs(text="Pay", budget="2s").budget == "2s"
    with pytest.raises(ValueError, match="step budget takes warn and fail"):
        ClickArgs(text="Pay", budget={"max": "2s"})


def test_budget_mistakes_are_named() -> None:
    assert budget_problems({"page_lode": "2s"}) == [
        ("unknown budget 'page_lode'; budgets are step, page_load, ttfb, dom_content_loaded, fcp, lcp, cls, "
         "requests, bytes, flow, actions")]
    assert "not a duration" in budget_problems({"lcp": {"fail": "soon"}})[0]
    assert "takes warn and fail" in budget_problems({"lcp": {"max": "2s"}})[0]


def test_the_loader_rejects_a_bad_budget_at_its_line(tmp_path: Path) -> None:
    flow = tmp_path / "bad.flow.yaml"
    flow.write_text("name: x\nbudgets: {page_load: {warn: fast}}\nsteps:\n  - goto: /\n")
    with pytest.raises(Exception) as info:
        load_flow(flow)
    assert "budget 'page_load'" in str(info.value) and "bad.flow.yaml:2" in str(info.value)


def test_breach_lines_and_failure_class() -> None:
    breach = Breach("page_load", "fail", 2310.4, 2000, "http://shop/cart", "step 3 `goto /cart` at f.flow.yaml:5")
    assert breach.line() == ("page load of http://shop/cart: Actual: 2310 ms / Limit: 2000 ms "
                             "(step 3 `goto /cart` at f.flow.yaml:5)")
    assert classify("x: step 3 failed\n  Error:    timing budget exceeded: page load") == "timing budget exceeded"


def test_percentiles_use_nearest_rank() -> None:
    assert stats([]) is None
    assert stats([5, 1, 3]) == {"n": 3, "min": 1, "median": 3, "p95": 5, "max": 5}
    figures = stats(range(1, 101))
    assert figures is not None and figures["p95"] == 95 and figures["median"] == 50.5


def test_summary_groups_repeats_of_a_variant() -> None:
    def run(ms: float) -> dict:
        return {"flow": "flows/a.flow.yaml", "name": "A", "variant": "x", "status": "passed", "total_ms": ms,
                "actions": 2, "warnings": [], "step_times": [{"index": "1", "title": "goto /", "line": "a:3", "ms": ms}],
                "pages": [{"step": "1", "url": "http://127.0.0.1:5/cart", "ttfb_ms": ms / 2, "load_ms": ms, "cls": 0}]}

    summary = summarise([run(100), run(300), run(200)])
    flow = summary["flows/a.flow.yaml[x]"]
    assert flow["runs"] == 3 and flow["steps"][0]["ms"]["median"] == 200
    assert flow["pages"][0]["url"] == "/cart" and flow["pages"][0]["ttfb_ms"]["max"] == 150
    assert any("step 1 goto /" in line and "300" in line for line in table(summary))
