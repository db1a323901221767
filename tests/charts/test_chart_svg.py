"""The pictures' content without a browser: labels as text, colours by budget, budgets beyond the chart named."""
from __future__ import annotations

import re
from typing import Any

from checkout_tester.report import charts, labels
from checkout_tester.report.summary import render


def _record(**extra: Any) -> dict[str, Any]:
    steps = [{"index": "1", "title": "goto /cart", "line": "f.flow.yaml:3", "status": "passed", "ms": 900.0,
              "start_ms": 0.0, "budget": {"warn": 2000.0}, "over": ""},
             {"index": "2", "title": "expect_text '$24.00'", "line": "f.flow.yaml:4", "status": "failed", "ms": 300.0,
              "start_ms": 910.0, "budget": {"warn": 60000.0}, "over": ""}]
    pages = [{"step": "1", "url": "http://127.0.0.1:8000/cart", "kind": "document", "method": "GET", "load_ms": 850.0,
              "ttfb_ms": 700.0, "fcp_ms": 780.0, "lcp_ms": 800.0, "start_ms": 20.0,
              "budget": {"warn": 600.0, "fail": 1000.0}, "over": {"page_load": "warn"}},
             {"step": "2", "url": "http://127.0.0.1:8000/app/orders", "kind": "route", "load_ms": 120.0,
              "start_ms": 950.0, "budget": {}, "over": {}}]
    return {"flow": "f.flow.yaml", "name": "Cart", "variant": "", "status": "failed", "total_ms": 1210.0,
            "step_times": steps, "pages": pages, "warnings": [], "failures": ["x"], "budgets": {"flow": {}}, **extra}


def test_labels_stay_text_and_bars_are_coloured_by_budget() -> None:
    svg = charts.waterfall_svg(_record())
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "2 expect_text '$24.00'" in [t.strip() for t in texts]  # a price is no mathtext
    assert "page load GET /cart" in [t.strip() for t in texts] and "route /app/orders" in [t.strip() for t in texts]
    assert 'id="page-bar-warn-1"' in svg and 'id="step-bar-fail-' in svg  # over its warn budget; a failed step
    assert 'id="budget-warn-1"' in svg and 'id="budget-fail-1"' in svg
    assert re.search(r"budgets beyond the chart: [^<]*step warn 60 s", svg)  # a far budget does not squash the bars


def test_durations_read_as_people_write_them() -> None:
    assert [labels.duration_label(v) for v in (0, 850, 1000, 1500, 12340)] == ["0", "850 ms", "1 s", "1.5 s", "12.34 s"]


def test_the_summary_names_no_outside_address() -> None:
    html = render([_record(), _record()], repeat=2)
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) <= {"http://127.0.0.1:8000/cart",
                                                             "http://127.0.0.1:8000/app/orders"}
    assert html.count('<figure class="waterfall">') == 1 and html.count('<figure class="distribution">') == 1
    assert "Cart: 2 runs, time per step" in html
