"""The history on PostgreSQL (a real private cluster) with the same code as SQLite; evidence retention."""
from __future__ import annotations

import concurrent.futures
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from checkout_tester.monitor.history import History
from checkout_tester.monitor.record import RunRecord
from checkout_tester.monitor.retention import prune
from tests.monitor.postgres import BIN, MISSING, PostgresCluster


def _record(location: str, minutes_ago: float, outcome: str = "passed") -> RunRecord:
    return RunRecord(flow="flows/checkout_card.flow.yaml", flow_name="Pay by card", variant="visa",
                     location=location, target="shop", outcome=outcome, duration_ms=1234.5,
                     started_at=datetime.now(timezone.utc) - timedelta(minutes=minutes_ago),
                     failure_class="server error" if outcome == "failed" else "", message="HTTP 500\nmore",
                     steps=[{"index": "1", "title": "goto /", "ms": 80.0}], pages=[{"url": "/", "lcp_ms": 300}],
                     warnings=["page_load 2.1 s over 2 s"], artifacts=["reports/monitor/artifacts/x/trace.zip"],
                     reproduce="checkout-tester run 'flows/checkout_card.flow.yaml::checkout_card[visa]'",
                     recheck=outcome == "failed")


@pytest.mark.skipif(BIN is None, reason=MISSING)
def test_two_locations_share_one_postgresql_table() -> None:
    with PostgresCluster() as cluster:
        paris, tokyo = History(cluster.url), History(cluster.url)
        try:
            paris.add(_record("paris", 30))
            tokyo.add(_record("tokyo", 20, "failed"))
            paris.add(_record("paris", 10))
            tokyo.add(_record("tokyo", 60 * 48))  # two days ago
            everything = paris.runs()
            assert [r.location for r in everything] == ["paris", "tokyo", "paris", "tokyo"]  # newest first
            recent = tokyo.runs(since=datetime.now(timezone.utc) - timedelta(hours=24))
            assert [(r.location, r.outcome) for r in recent] == [("paris", "passed"), ("tokyo", "failed"),
                                                                 ("paris", "passed")]
            (failed,) = paris.runs("checkout_card.flow.yaml", location="tokyo", limit=1)
            assert failed == tokyo.runs(location="tokyo")[0]
            assert failed.recheck and failed.failure_class == "server error" and failed.steps[0]["ms"] == 80.0
            assert failed.started_at.tzinfo is not None and failed.pages == [{"url": "/", "lcp_ms": 300}]
            assert paris.runs(location="lima") == []
        finally:
            paris.close()
            tokyo.close()


def test_sqlite_round_trip_keeps_every_field(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/deep/history.db")  # its folder is made
    record = _record("lab", 1, "failed")
    history.add(record)
    assert history.runs() == [record]
    history.close()


def test_retention_deletes_the_oldest_evidence_first(tmp_path: Path) -> None:
    now = time.time()
    for index, (age_days, kb) in enumerate([(20, 10), (5, 300), (3, 300), (1, 300)]):
        folder = tmp_path / f"run{index}"
        folder.mkdir()
        (folder / "trace.zip").write_bytes(b"x" * kb * 1024)
        os.utime(folder, (now - age_days * 86400, now - age_days * 86400))
    deleted = prune(tmp_path, keep_days=14, keep_mb=0.7, spare=tmp_path / "run3")
    assert [p.name for p in deleted] == ["run0", "run1"]  # too old, then the oldest beyond 0.7 MB
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run2", "run3"]


def test_the_history_table_shows_variants_and_messages_as_text() -> None:
    from rich.console import Console

    from checkout_tester.monitor.history_table import print_table

    console = Console(record=True, width=200)
    failed = _record("lab", 1, "failed")
    failed.message = "[bold]not markup[/bold]\nsecond line"
    print_table([failed], console)
    text = console.export_text()
    assert "flows/checkout_card.flow.yaml[visa]" in text and "[bold]not markup[/bold]" in text, text
    assert "second line" not in text and "failed (recheck)" in text and "1 run(s)" in text


def _open_history(url: str) -> str:
    try:
        History(url).close()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
        return f"{type(exc).__name__}: {exc}"


def test_processes_opening_a_new_history_at_once_all_succeed(tmp_path: Path) -> None:
    # A reader and the monitor (or two monitors on one PostgreSQL) may both find the table missing.
    url = f"sqlite:///{tmp_path}/history.db"
    with concurrent.futures.ProcessPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(_open_history, [url] * 12)) == ["ok"] * 12
