"""Budgets without a browser: parsing, merging target < flow < step, tiers, messages, percentiles."""
from __future__ import annotations

from pathlib import Path

import pytest

from checkout_tester.base.errors import ConfigError, FlowError
from checkout_tester.flow.budgets import Breach, Budgets, budget_issues, budget_problems, step_limit
from checkout_tester.flow.loader import load_flow
from checkout_tester.flow.step_arguments import ClickArgs
from checkout_tester.report.timings import stats, summarise, table
from checkout_tester.run.failure_text import classify
from checkout_tester.target.config_file import load_target


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
         "requests, bytes, flow, actions, pages")]
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


def test_a_page_budget_applies_to_the_pages_its_pattern_matches() -> None:
    target = {"page_load": {"warn": "2s", "fail": "6s"}, "pages": {"/accounts/.*": {"page_load": {"warn": "4s"}}}}
    budgets = Budgets(target, {"pages": {"/search": {"lcp": "3s"}}})
    assert budgets.check("page_load", 3000, urls=["http://shop/accounts/orders"]) is None
    breach = budgets.check("page_load", 4500, "http://shop/accounts/orders", urls=["http://shop/accounts/orders"])
    assert breach is not None and breach.tier == "warn" and breach.pattern == "/accounts/.*"
    assert breach.line() == ("page load of http://shop/accounts/orders: Actual: 4500 ms / Limit: 4000 ms "
                             "[budget of pages /accounts/.*]")
    # the tier the page budget leaves out is still the flow's; other pages keep the flow's tiers
    assert budgets.check("page_load", 6500, urls=["http://shop/accounts/x"]).tier == "fail"  # type: ignore[union-attr]
    assert budgets.check("page_load", 2500, urls=["http://shop/accounts"]).tier == "warn"  # type: ignore[union-attr]
    # the whole path must match; the query may be part of it
    assert budgets.check("lcp", 3500, urls=["http://shop/search?q=mug"]).pattern == "/search"  # type: ignore[union-attr]
    assert budgets.check("lcp", 3500, urls=["http://shop/search/more"]) is None


def test_the_flows_page_budget_is_tried_first_and_merges_with_the_targets_tier_by_tier() -> None:
    target = {"pages": {"/a/.*": {"page_load": {"warn": "3s", "fail": "5s"}}}}
    flow = {"pages": {"/a/b": {"page_load": {"fail": "1s"}}, "/a/.*": {"page_load": {"fail": "9s"}}}}
    budgets = Budgets(target, flow)
    assert [p.pattern for p in budgets.pages] == ["/a/b", "/a/.*"]
    assert budgets.check("page_load", 1500, urls=["http://h/a/b"]).tier == "fail"  # type: ignore[union-attr]
    assert budgets.check("page_load", 6000, urls=["http://h/a/c"]).tier == "warn"  # type: ignore[union-attr]
    assert budgets.check("page_load", 9500, urls=["http://h/a/c"]).tier == "fail"  # type: ignore[union-attr]
    whole = Budgets({"pages": {"https://pay\\.example\\.com/.*": {"page_load": {"fail": "1s"}}}})
    assert whole.check("page_load", 1200, urls=["https://pay.example.com/authorize"]).tier == "fail"  # type: ignore[union-attr]
    assert whole.check("page_load", 1200, urls=["https://shop.example.com/authorize"]) is None


def test_page_budget_mistakes_are_named_with_their_place() -> None:
    issues = dict(budget_issues({"pages": {"/a/*": {"page_load": "2s"}, "/(": {"lcp": "1s"},
                                           "accounts": {"lcp": "1s"}, "/b": {"step": "2s", "lcp": "soon"}}}))
    assert issues[("pages", "/a/*")] == ("page pattern '/a/*' looks like a glob; page patterns are regular "
                                         "expressions: write /a/.*")
    assert "is not a regular expression" in issues[("pages", "/(")]
    assert "must be a regular expression for the path, starting with /" in issues[("pages", "accounts")]
    assert issues[("pages", "/b", "step")].startswith("'step' is not a page budget; pages take page_load, ttfb")
    assert "not a duration" in issues[("pages", "/b", "lcp")]
    assert "must be a mapping" in budget_problems({"pages": ["/a"]})[0]


def test_the_loader_names_the_line_of_a_bad_page_pattern(tmp_path: Path) -> None:
    flow = tmp_path / "pages.flow.yaml"
    flow.write_text('name: x\nbudgets:\n  page_load: 2s\n  pages:\n    "/ok/.*": {page_load: 4s}\n'
                    '    "/accounts/(": {page_load: 4s}\nsteps:\n  - goto: /\n')
    with pytest.raises(FlowError) as info:
        load_flow(flow)
    text = str(info.value)
    assert "pages.flow.yaml:6" in text and "page pattern '/accounts/('" in text, text
    assert '"/accounts/.*": {page_load: {warn: 4s}}' in text, text  # the fix: an example


def test_a_target_with_a_bad_budget_is_refused_when_it_loads(tmp_path: Path) -> None:
    target = tmp_path / "shop.yaml"
    target.write_text('base_url: http://127.0.0.1:9\nbudgets: {pages: {"/a/*": {page_load: 4s}}}\n')
    with pytest.raises(ConfigError, match=r"shop\.yaml:2: budgets: .*looks like a glob.*write /a/\.\*"):
        load_target(target)
