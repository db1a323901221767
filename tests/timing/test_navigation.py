"""Status and redirects, work an action starts, client-side routes, per-page budgets: end to end in
Chromium against the demo store's timing pages (demostore/timing_pages.py), slowed with `slow:PATH:MS`.

Bounds are one-sided where a loaded machine could break them: the store holds a response MS long, so
whatever waited for it took at least MS; the check after an action that already waited only reads
the page, so it takes less than the delay it would otherwise have had to wait out.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.base.errors import FlowError
from checkout_tester.flow.loader import load_flow
from checkout_tester.report.timings import TimingRecorder
from checkout_tester.session import Session, demo_session
from checkout_tester.target.config import Target

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="needs Debian's chromium")]

DELAY_MS = 1500


class Shop:
    """One demo store and one browser for the module; each run gets its faults and a fresh context."""

    def __init__(self, session: Session, store: Any, folder: Path) -> None:
        self.session, self.store, self.folder = session, store, folder
        self.recorder = TimingRecorder(use_allure=False)
        session.listeners.append(self.recorder)

    def run(self, name: str, text: str, faults: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
        """Run a flow file written from `text`; (its timings record, the failure message or '')."""
        path = self.folder / f"{name}.flow.yaml"
        path.write_text(text)
        self.store.set_faults(list(faults))
        try:
            self.session.run(load_flow(path))
            error = ""
        except AssertionError as exc:
            error = str(exc)
        return json.loads(json.dumps(self.recorder.record)), error


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    folder = tmp_path_factory.mktemp("navigation")
    with demo_session(Target(name="demo"), artifacts=folder / "artifacts") as (session, store):
        yield Shop(session, store, folder)


def _steps(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["index"]: s for s in record["step_times"]}


def _pages(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["step"]: p for p in record["pages"]}


# --- status ---------------------------------------------------------------------------

def test_goto_asserts_the_status_and_the_expected_404_is_no_http_error(shop: Shop) -> None:
    record, error = shop.run("status", "name: Status\nsteps:\n"
                             "  - goto: {url: /no-such-page, expect_status: 404}\n"
                             "  - expect_text: Page not found\n"
                             "  - goto: {url: /timing/status/503, expect_status: 503}\n"
                             "  - goto: {url: /timing/status/302, expect_status: 302}\n"
                             "  - expect_text: Quick basket\n")
    assert error == "" and record["status"] == "passed", error
    log = json.loads((shop.folder / "artifacts" / "detections.json").read_text())
    judged = {(f["status"], f["verdict"], f["reason"]) for f in log["findings"] if f["kind"] == "http"}
    assert judged == {(404, "expected", "the step expects HTTP 404"), (503, "expected", "the step expects HTTP 503")}


def test_without_expect_status_a_404_page_still_fails_as_before(shop: Shop) -> None:
    _, error = shop.run("no_status", "name: No status\nsteps:\n  - goto: /no-such-page\n")
    assert "step 1 `goto /no-such-page` failed" in error, error
    assert "[http] 404 GET http://127.0.0.1:" in error and "Class:    request failed" in error, error


def test_another_status_than_the_expected_one_fails_naming_both(shop: Shop) -> None:
    _, error = shop.run("wrong_status", "name: Wrong status\nsteps:\n"
                        "  - goto: {url: /timing/status/302, expect_status: 404}\n")
    assert "Expected: page /timing/status/302 loads with HTTP status 404" in error, error
    assert "expected HTTP 404 from http://127.0.0.1:" in error and "/timing/basket, got 200" in error, error
    assert "(from GET http://127.0.0.1:" in error and "/timing/status/302 -> 302 http://" in error, error


# --- a slow form post that redirects ----------------------------------------------------

ORDER = """name: Slow order post
budgets: {BUDGETS}
steps:
  - goto: /timing/order
  - click: {role: button, name: Place order}
  - expect_text: Order placed
"""
SLOW_POST = (f"slow:/timing/order/submit:{DELAY_MS}",)


def test_a_slow_post_that_redirects_is_reported_as_the_post(shop: Shop) -> None:
    # a pattern for the page it lands on applies too, and the breach still names the post
    budgets = '{pages: {"/timing/order/done": {page_load: {fail: 1s}}}}'
    record, error = shop.run("order", ORDER.replace("{BUDGETS}", budgets), SLOW_POST)
    assert "step 2 `click role='button' name='Place order'` failed" in error, error
    assert "timing budget exceeded: page load of POST http://127.0.0.1:" in error, error
    assert "/timing/order/submit -> 303 http://127.0.0.1:" in error and "/timing/order/done\n" in error, error
    assert "Page:     URL http://127.0.0.1:" in error, error
    page = _pages(record)["2"]
    assert page["method"] == "POST" and page["url"].endswith("/timing/order/submit"), page
    assert page["landed_url"].endswith("/timing/order/done"), page
    assert [(h["method"], h["status"]) for h in page["redirects"]] == [("POST", 303)], page
    assert page["load_ms"] >= DELAY_MS and page["redirect_ms"] >= DELAY_MS, page
    assert _steps(record)["2"]["ms"] >= DELAY_MS
    assert any(f.startswith("page load of POST http://") for f in record["failures"]), record["failures"]


def test_a_page_budget_for_the_post_replaces_the_flow_wide_one(shop: Shop) -> None:
    lenient = '{page_load: {fail: 1s}, pages: {"/timing/order(/.*)?": {page_load: {fail: 30s}}}}'
    record, error = shop.run("order_lenient", ORDER.replace("{BUDGETS}", lenient), SLOW_POST)
    assert error == "" and record["status"] == "passed", error
    strict = '{pages: {"/timing/order/submit": {page_load: {fail: 1s}}}}'
    record, error = shop.run("order_strict", ORDER.replace("{BUDGETS}", strict), SLOW_POST)
    assert "Expected: page load within 1000 ms (fail budget of pages /timing/order/submit)" in error, error
    assert "[budget of pages /timing/order/submit]" in record["failures"][0], record["failures"]


# --- XHR / fetch started by a click ------------------------------------------------------

BASKET = """name: Basket by fetch
budgets: {BUDGETS}
steps:
  - goto: /timing/basket
  - click: {role: button, name: Add, budget: {CLICK_BUDGET}}
  - expect_text: "Basket: 1"
"""
SLOW_FETCH = (f"slow:/timing/api/basket:{DELAY_MS}",)


def _basket(flow: str = "{}", click: str = "null") -> str:
    return BASKET.replace("{BUDGETS}", flow).replace("{CLICK_BUDGET}", click)


def test_a_fetch_started_by_a_click_is_timed_with_the_click_not_the_next_check(shop: Shop) -> None:
    record, error = shop.run("basket", _basket(), SLOW_FETCH)
    assert error == "", error
    steps = _steps(record)
    assert steps["2"]["ms"] >= DELAY_MS, steps
    assert steps["3"]["ms"] < DELAY_MS, steps  # the counter was already updated: nothing left to wait for
    (waited,) = steps["2"]["requests"]
    assert waited["method"] == "POST" and waited["url"].endswith("/timing/api/basket"), waited
    # The browser's clock for the request starts a moment after the server's delay does: allow 5 %.
    assert waited["type"] == "fetch" and waited["ms"] >= DELAY_MS * 0.95, waited
    assert "requests" not in steps["3"] and "requests" not in steps["1"], steps


def test_a_slow_fetch_meets_the_step_budget_naming_the_request(shop: Shop) -> None:
    record, error = shop.run("basket_fail", _basket(click="{fail: 1s}"), SLOW_FETCH)
    assert "step 2 `click role='button' name='Add'` failed" in error, error
    assert "timing budget exceeded: step time" in error, error
    assert "Waited:   POST http://127.0.0.1:" in error and "/timing/api/basket (fetch) " in error, error
    record, error = shop.run("basket_warn", _basket(flow="{step: {warn: 1s}}"), SLOW_FETCH)
    assert error == "" and record["status"] == "passed", error
    (warning,) = [w for w in record["warnings"] if w.startswith("step time on")]  # a loaded machine may add page loads
    assert "; waited for POST http://" in warning and "step 2 `click" in warning, warning


# --- client-side routing ---------------------------------------------------------------

APP = """name: Mini app
steps:
  - goto: /timing/app
  - click: {role: link, name: About}
  - expect_text: About the mini app
  - click: {role: link, name: Orders}
  - expect_text: 3 orders
"""


def test_a_client_side_route_is_timed_until_it_has_rendered(shop: Shop) -> None:
    record, error = shop.run("app", APP, (f"slow:/timing/api/orders:{DELAY_MS}",))
    assert error == "", error
    pages, steps = _pages(record), _steps(record)
    assert pages["1"].get("kind") is None and pages["1"]["url"].endswith("/timing/app")  # a document load
    about, orders = pages["2"], pages["4"]
    assert about["kind"] == "route" and about["url"].endswith("/timing/app/about"), about
    assert orders["kind"] == "route" and orders["url"].endswith("/timing/app/orders"), orders
    assert orders["load_ms"] >= DELAY_MS and orders["timed_from"] == "input", orders
    assert steps["4"]["ms"] >= DELAY_MS and steps["5"]["ms"] < DELAY_MS, steps
    assert about["load_ms"] < orders["load_ms"] - DELAY_MS / 2, (about, orders)  # nothing held the About view
    assert "requests" not in steps["2"] and steps["4"]["requests"][0]["url"].endswith("/timing/api/orders")


def test_a_slow_route_gets_the_default_two_second_warn_budget(shop: Shop) -> None:
    record, error = shop.run("app_slow", APP, ("slow:/timing/api/orders:2100",))
    assert error == "" and record["status"] == "passed", error
    (warning,) = [w for w in record["warnings"] if "/timing/app/orders" in w]
    assert warning.startswith("page load of http://127.0.0.1:") and "/timing/app/orders: Actual: " in warning, warning
    assert "/ Limit: 2000 ms" in warning and "step 4 `click role='link' name='Orders'`" in warning, warning


def test_a_request_that_does_not_end_holds_the_click_no_longer_than_the_step_timeout(shop: Shop) -> None:
    target = shop.session.target
    shop.session.target = Target(name="demo", timeouts={"step": "1s"})  # what a step may wait for its work
    try:
        # the click's own timeout stays long: a loaded machine may take more than 1 s to find the button
        hung = _basket().replace("budget: null}", "budget: null, timeout: 20s}")
        record, error = shop.run("basket_hung", hung, ("slow:/timing/api/basket:6000",))
    finally:
        shop.session.target = target
    assert error == "", error  # the check waited for the counter itself (its own timeout is 10 s)
    steps = _steps(record)
    (waited,) = steps["2"]["requests"]
    assert waited["unfinished"] is True and waited["ms"] >= 1000, waited  # let go after the 1 s step timeout


def test_an_impossible_expected_status_is_refused_at_its_line(tmp_path: Path) -> None:
    flow = tmp_path / "bad.flow.yaml"
    flow.write_text("name: x\nsteps:\n  - goto: /\n  - goto: {url: /gone, expect_status: 99}\n")
    with pytest.raises(FlowError) as info:
        load_flow(flow)
    assert "'expect_status' in goto" in str(info.value) and "bad.flow.yaml:4" in str(info.value), str(info.value)
