"""Metrics of real runs, scraped by a real Prometheus and pushed to a real Pushgateway."""
from __future__ import annotations

import subprocess
import urllib.error
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from checkout_tester.monitor.metrics import FlowMetrics, bounded_path, serve
from checkout_tester.monitor.record import RunRecord
from tests.live.store_process import cli
from tests.metrics.conftest import FLOW, again
from tests.metrics.servers import get, prometheus, pushgateway, wait_for_value

REPO = Path(__file__).resolve().parents[2]


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Every sample of a Prometheus text exposition: (name, labels, value)."""
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]


def test_prometheus_scrapes_the_success_ratio_and_up(real_records: dict[str, RunRecord], tmp_path: Path) -> None:
    passed, failed, degraded = real_records["passed"], real_records["failed"], real_records["degraded"]
    metrics = FlowMetrics()
    with serve(metrics, 0, status_page=lambda: "<h1>status page of the test</h1>") as server, \
            prometheus(tmp_path, f"127.0.0.1:{server.port}") as prom:
        for minutes, record in enumerate((passed, passed, degraded, failed)):
            metrics(again(record, minutes))
        flow = f'flow="{FLOW}",location="test-lab"'
        ratio = (f'sum(checkout_flow_runs_total{{{flow},outcome=~"passed|degraded"}})'
                 f' / sum(checkout_flow_runs_total{{{flow}}})')
        wait_for_value(prom.url, ratio, 0.75)  # 2 passed + 1 degraded of 4
        wait_for_value(prom.url, f"checkout_flow_up{{{flow}}}", 0)  # the latest run failed
        metrics(again(passed, 5))
        wait_for_value(prom.url, f"checkout_flow_up{{{flow}}}", 1)
        wait_for_value(prom.url, ratio, 0.8)
        wait_for_value(prom.url, f'checkout_flow_failures_total{{{flow},failure_class="server error"}}', 1)

        scraped = samples(get(server.url + "/metrics").decode())
        assert get(server.url + "/").decode() == "<h1>status page of the test</h1>"
        with pytest.raises(urllib.error.HTTPError):
            get(server.url + "/elsewhere")
    paths = {labels["path"] for name, labels, _ in scraped if "path" in labels}
    assert paths == {"/support"}  # the URL carried ?ref=<secret>: paths only, no host, no query
    steps = {labels["step"] for name, labels, _ in scraped if name == "checkout_step_duration_seconds_count"}
    assert {"1 goto", "5 click", "6 expect_text"} <= steps
    count = {n: v for n, labels, v in scraped if n == "checkout_flow_duration_seconds_count"}
    assert count == {"checkout_flow_duration_seconds_count": 5}
    ttfb = [v for n, labels, v in scraped if n == "checkout_page_ttfb_seconds" and labels["step"] == "1"]
    assert len(ttfb) == 1 and 0 < ttfb[0] < 30
    assert bounded_path("https://shop.example/orders/DS-100001/items?page=2#top") == "/orders/:id/items"


def test_run_pushes_its_metrics_to_a_pushgateway(tmp_path: Path) -> None:
    with pushgateway(tmp_path) as gateway:
        done = subprocess.run([*cli(), "run", "--pushgateway", gateway.url, "--location", "ci-lab",
                               f"--target={REPO / 'config/demo.yaml'}", str(REPO / FLOW), "-p", "no:cacheprovider"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert f"metrics: pushed 1 run(s) to {gateway.url} (job checkout-tester, target demo, location ci-lab)" \
            in done.stdout
        pushed = samples(get(gateway.url + "/metrics").decode())
    group = {"job": "checkout-tester", "target": "demo", "location": "ci-lab"}
    ours = [(n, labels, v) for n, labels, v in pushed if group.items() <= labels.items()]
    runs = {labels["outcome"]: v for n, labels, v in ours if n == "checkout_flow_runs_total"}
    assert runs == {"passed": 1, "degraded": 0, "failed": 0, "broken": 0, "flaky": 0}
    assert [v for n, _, v in ours if n == "checkout_flow_up"] == [1]
    assert any(n == "checkout_step_duration_seconds_count" and labels["step"] == "5 click" for n, labels, _ in ours)
    assert any(n == "push_time_seconds" and group.items() <= labels.items() for n, labels, _ in pushed)


def test_a_bad_pushgateway_url_stops_before_any_browser(tmp_path: Path) -> None:
    done = subprocess.run([*cli(), "run", "--pushgateway", "pushgateway:9091", str(REPO / FLOW)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "ERROR: --pushgateway pushgateway:9091: not an http(s) URL; give the Pushgateway's address, " \
           "e.g. http://127.0.0.1:9091" in done.stderr
