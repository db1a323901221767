"""The monitor as users run it, with its outputs wired: a real Prometheus scrapes its --port, webhooks get a
failing alert after two failed runs and a recovery alert, and its live status page shows the state."""
from __future__ import annotations

import signal
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import sync_playwright

from checkout_tester.target.config import DEBIAN_CHROMIUM
from tests.live.store_process import free_port
from tests.metrics.receiver import Receiver
from tests.metrics.servers import prometheus, query, wait_for_value
from tests.monitor.helpers import MonitorProcess, Store, project, wait_runs

pytestmark = pytest.mark.e2e
FLOW = "flows/cart_now.flow.yaml"
CART = """name: Add a mug and remove it
steps:
  - goto: /
  - click: {role: link, name: Blue Mug}
  - click: {role: button, name: Add to cart}
  - click: {role: button, name: Remove Blue Mug}
  - expect_text: Your cart is empty.
"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hooks = Receiver()
    yield hooks
    hooks.close()


def test_metrics_alerts_and_status_page_of_a_running_monitor(tmp_path: Path, receiver: Receiver) -> None:
    port = free_port()
    with Store() as store, prometheus(tmp_path, f"127.0.0.1:{port}") as prom:
        folder = project(tmp_path / "project", store)
        (folder / FLOW).write_text(CART, encoding="utf-8")
        store.set_faults("cart-confirm-remove")  # Remove asks confirm(): the dialog fails the flow
        args = ("--every", "2s", "--recheck", "0", "--port", str(port), "--webhook", f"{receiver.url}/generic",
                "--slack-webhook", f"{receiver.url}/slack", FLOW)
        with MonitorProcess(folder, *args) as monitor:
            failing = receiver.wait_for("/generic", 1, timeout=120)[0]
            stored = wait_runs(folder, "two failed runs", lambda rs: len(rs) >= 2, monitor)
            assert [r.outcome for r in stored[:2]] == ["failed", "failed"], [(r.outcome, r.message) for r in stored]
            # Paged once, at the second failure in a row: one blip pages nobody.
            assert failing["kind"] == "failing" and failing["consecutive_failures"] == 2, failing
            assert failing["flow"] == FLOW and failing["location"] == "test-lab"
            assert failing["failure_class"] == stored[0].failure_class and "confirm" in failing["message"]
            assert failing["failed_step"].startswith("4 click") and failing["reproduce"].startswith("checkout-tester run")
            assert failing["evidence"] and failing["monitor"] == f"http://127.0.0.1:{port}/"
            assert receiver.wait_for("/slack", 1)[0]["text"].startswith("FAILING: ")
            # Prometheus scraped the monitor itself: the flow is down.
            up = f'checkout_flow_up{{flow="{FLOW}",location="test-lab"}}'
            wait_for_value(prom.url, up, 0.0)

            store.set_faults()
            recovered = receiver.wait_for("/generic", 2, timeout=120)[1]
            assert recovered["kind"] == "recovered" and recovered["state"] == "ok", recovered
            wait_for_value(prom.url, up, 1.0)
            ratio = query(prom.url, f'sum(checkout_flow_runs_total{{flow="{FLOW}",outcome=~"passed|degraded"}})'
                                    f' / sum(checkout_flow_runs_total{{flow="{FLOW}"}})')
            assert 0 < float(ratio[0]["value"][1]) < 1, ratio

            with sync_playwright() as playwright:  # the live status page, as a person opens it
                browser = playwright.chromium.launch(executable_path=DEBIAN_CHROMIUM)
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                section = page.locator(f"section.flow[data-key='{FLOW}@test-lab']")
                assert section.locator(".state").first.inner_text().strip() == "Up"
                assert "confirm" in section.inner_text()  # the latest failure stays shown
                page.screenshot(path=str(tmp_path / "status.png"), full_page=True)
                browser.close()
            monitor.signal(signal.SIGTERM)
            assert monitor.wait() in (0, 2), monitor.output()
        assert receiver.bodies("/generic")[:2] == [failing, recovered]
