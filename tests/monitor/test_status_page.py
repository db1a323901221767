"""The status page, read in Chromium as a person reads it: states, uptime figures, charts with points, the
latest failure with its screenshot, and no request leaving the file.

The records are real: shipped flows run against the demo store with a RecordBuilder listening (the failing
one under the `uppercase-email` fault, its page shot as the monitor keeps it); older ones are copies of
them moved back in time, with outcomes chosen so the uptime figures are known.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.flow.loader import load_flow
from checkout_tester.monitor.record import RecordBuilder, RunRecord
from checkout_tester.monitor.status_budgets import budget_limits
from checkout_tester.monitor.status_charts import MAX_POINTS
from checkout_tester.monitor.status_page import render, status_app
from checkout_tester.run.events import Attachment, FlowFinished
from checkout_tester.session import Session, demo_session, new_runner
from checkout_tester.target.config_file import load_target

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="needs Debian's chromium")]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-42"  # the demo target's SHOP_PASSWORD default: must never reach the page


@dataclass
class Runs:
    """Real records of the demo store's runs, the session that made them (its browser reads the page)."""

    session: Session
    passed: list[RunRecord]
    failed: RunRecord
    folder: Path


class Recorder:
    """The monitor's side of a run: a RecordBuilder, and the screenshot of a failure added to its artifacts."""

    def __init__(self) -> None:
        target = load_target(ROOT / "config/demo.yaml")
        self.builder = RecordBuilder("test-box", target.name)
        self.builder.redactor.add(PASSWORD)
        self.records: list[RunRecord] = []

    def __call__(self, event: Any) -> None:
        self.builder(event)
        if isinstance(event, FlowFinished) and self.builder.record is not None:
            self.records.append(self.builder.record)
        elif isinstance(event, Attachment) and event.mime == "image/png" and self.records:
            self.records[-1].artifacts.append(event.path)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    folder = tmp_path_factory.mktemp("status")
    target = load_target(ROOT / "config/demo.yaml")
    recorder = Recorder()
    flow = load_flow(ROOT / "flows/signup.flow.yaml", root=ROOT)
    lower, capitals = flow.variants[0], flow.variants[1]
    with demo_session(target, listeners=[recorder], artifacts=folder / "artifacts") as (session, store):
        for _ in range(2):
            session.run(flow, lower)
        store.set_faults(["uppercase-email"])
        context = session.browser.new_context(**session.context_args())
        try:  # as the monitor does: the failing page is shot before its context closes
            page = context.new_page()
            runner = new_runner(page, target, session.mail, listeners=[recorder], artifacts=folder / "artifacts",
                                base_url=store.url)
            with pytest.raises(AssertionError):
                runner.run(flow, capitals)
            runner.screenshot(page, "failure")
        finally:
            context.close()
        passed, failed = recorder.records[:2], recorder.records[2]
        assert [r.outcome for r in passed] == ["passed", "passed"] and failed.outcome == "failed", recorder.records
        failed.reproduce = f"checkout-tester run flows/signup.flow.yaml -k '{capitals.id}' --store-fault uppercase-email"
        yield Runs(session, passed, failed, folder)


def _older(record: RunRecord, now: datetime, hours: float, outcome: str, **changes: Any) -> RunRecord:
    """A copy of a real record, `hours` before now, with another outcome."""
    return replace(record, started_at=now - timedelta(hours=hours), outcome=outcome, run_id=uuid.uuid4().hex,
                   duration_ms=record.duration_ms * (1 + hours / 200), **changes)


def test_the_page_shows_states_uptime_charts_and_the_latest_failure(runs: Runs) -> None:
    now = datetime.now(timezone.utc) + timedelta(seconds=1)
    up, down = runs.passed[-1], runs.failed
    history = [*runs.passed, down,
               # lowercase variant: 24 h = 2 passed + failed + flaky (3 of 4 up); 7 d adds 2 failed, 2 passed
               *(_older(up, now, h, o) for h, o in ((3, "failed"), (5, "flaky"), (30, "failed"), (48, "passed"),
                                                    (72, "failed"), (144, "passed"), (200, "failed"))),
               # capitals variant: 24 h = 2 passed + the real failure; 7 d adds a degraded run
               *(_older(down, now, h, o) for h, o in ((2, "passed"), (4, "passed"), (26, "degraded"))),
               # another location whose latest run was over a budget
               _older(up, now, 1, "degraded", location="second-box",
                      warnings=["page load of /account: Actual: 2310 ms / Limit: 2000 ms"])]
    target = load_target(ROOT / "config/demo.yaml").model_copy(update={"budgets": {"step": "2s", "flow": {"fail": "20s"}}})
    budgets = budget_limits([load_flow(ROOT / "flows/signup.flow.yaml", root=ROOT)], target)
    assert budgets == {"flows/signup.flow.yaml": {"step": 2000.0, "flow:fail": 20000.0, "page_load": 2000.0}}
    started = time.perf_counter()
    html = render(history, budgets, now, "Demo store status")
    assert time.perf_counter() - started < 1
    assert [u for u in re.findall(r"https?://[^\s\"'<>)]+", html) if not u.startswith("http://127.0.0.1")] == []
    assert PASSWORD not in html
    path = runs.folder / "status.html"
    path.write_text(html, encoding="utf-8")

    page = runs.session.browser.new_page(viewport={"width": 1300, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_function("window.statusCharts && Object.keys(window.statusCharts).length > 0")
    seen = {up.key: ("Up", "75.0%", "62.5%", "9"), down.key: ("Down", "66.7%", "75.0%", "4"),
            replace(up, location="second-box").key: ("Degraded", "100.0%", "100.0%", "1")}
    for key, (state, day, week, count) in seen.items():
        section = page.locator(f"section.flow[data-key='{key}']")
        assert section.locator("h2 .state").inner_text() == state
        assert section.locator(".words").inner_text().startswith(f"{state}: the latest run ")
        assert section.locator(".uptime[data-window='24 h'] .percent").inner_text() == day
        assert section.locator(".uptime[data-window='7 d'] .percent").inner_text() == week
        assert section.locator(".runs").inner_text() == count
    sections = page.locator("section.flow")
    assert [sections.nth(i).get_attribute("data-state") for i in range(3)] == ["failed", "degraded", "passed"]
    assert "1 flaky" in page.locator(f"section.flow[data-key='{up.key}'] .uptime[data-window='24 h']").inner_text()

    failure = page.locator(f"section.flow[data-key='{down.key}'] .failure")
    assert "unknown email format" in failure.locator(".message").inner_text()
    assert down.failure_class and down.failure_class in failure.locator("h3").inner_text()
    assert "click role='button' name='Create account'" in failure.locator(".failed-step").inner_text()
    assert "--store-fault uppercase-email" in failure.locator(".reproduce").inner_text()
    assert failure.locator("img.screenshot").evaluate("img => img.complete && img.naturalWidth > 100")
    assert page.locator(f"section.flow[data-key='{up.key}'] .failure").count() == 1  # its failed copies

    charts = page.evaluate("""Object.entries(window.statusCharts).map(([id, u]) => ({id, points: u.data[0].length,
        labels: u.series.slice(1).map(s => s.label), key: u.root.closest('section').dataset.key,
        inked: (() => { const c = u.ctx.canvas, d = u.ctx.getImageData(0, 0, c.width, c.height).data;
                        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })()}))""")
    mine = {c["id"].rsplit("-", 1)[1]: c for c in charts if c["key"] == up.key}
    assert set(mine) == {"flow", "steps", "pages"}
    assert all(c["points"] == 9 and c["inked"] > 500 for c in mine.values()), mine
    assert "flow budget (fail) 20000 ms" in mine["flow"]["labels"]
    assert "step budget (warn) 2000 ms" in mine["steps"]["labels"]
    assert any(label.startswith("5 click") for label in mine["steps"]["labels"]), mine["steps"]["labels"]
    assert mine["pages"]["labels"] == ["TTFB", "LCP", "page load", "page_load budget (warn) 2000 ms"]
    page.screenshot(path=str(runs.folder / "status.png"), full_page=True)
    page.close()
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
    print(f"status page: {path}, screenshot: {runs.folder / 'status.png'}")


def test_ten_thousand_runs_render_fast_with_few_points_per_chart(runs: Runs) -> None:
    now = datetime.now(timezone.utc)
    many = [_older(runs.passed[i % 2], now, i / 60, "passed" if i % 7 else "failed") for i in range(10_000)]
    started = time.perf_counter()
    html = render(many, {}, now)
    took = time.perf_counter() - started
    assert took < 1, f"{took:.2f} s"
    assert len(html) < 2_000_000
    data = re.search(r'<script id="status-data" type="application/json">(.*?)</script>', html, re.S)
    assert data and data.group(1).count("[") < 20 * (MAX_POINTS + 10)


def test_status_command_names_a_missing_history(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "checkout_tester.cli", "status", "--history",
                           f"sqlite:///{tmp_path}/none.db", "--out", str(tmp_path / "s.html")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done
    assert f"no history at {tmp_path}/none.db" in done.stderr and "Traceback" not in done.stderr


def test_the_monitor_history_feeds_the_live_page_and_the_command(runs: Runs, tmp_path: Path) -> None:
    history_module = pytest.importorskip("checkout_tester.monitor.history")  # monitor/history.py, its own branch
    url = f"sqlite:///{tmp_path}/history.db"
    history = history_module.History(url=url)
    try:
        for record in [*runs.passed, runs.failed]:
            history.add(record)
        live = status_app(history, title="Live status")()
    finally:
        history.close()
    assert '<meta http-equiv="refresh" content="60">' in live and "Live status" in live
    assert f'data-key="{runs.failed.key}" data-state="failed"' in live
    out = tmp_path / "status.html"
    done = subprocess.run([sys.executable, "-m", "checkout_tester.cli", "status", "flows/signup.flow.yaml",
                           "--history", url, "--out", str(out), "--target", "config/demo.yaml"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done
    assert "status page of 3 run(s) written to" in done.stdout
    html = out.read_text()
    assert f'data-key="{runs.passed[0].key}" data-state="passed"' in html and "refresh" not in html
    assert "page_load budget (warn) 2000 ms" in html
