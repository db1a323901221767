"""`checkout-tester monitor` against the demo store as its own process: runs on schedule into the history,
rechecks, a store that goes away and comes back, a browser killed under it, SIGTERM and kill -9."""
from __future__ import annotations

import json
import os
import re
import shlex
import signal
import sqlite3
import subprocess
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Iterator

import psutil
import pytest

from checkout_tester.monitor.record import RunRecord
from tests.monitor.helpers import (
    CLI,
    SECRET,
    WAIT_S,
    MonitorProcess,
    Store,
    alive,
    browsers_of,
    descendants,
    project,
    runs,
    wait_for,
    wait_runs,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    with Store() as running:
        yield running


def test_runs_go_to_the_history_secrets_stay_out_and_sigterm_stops_cleanly(tmp_path: Path, store: Store) -> None:
    folder = project(tmp_path, store)
    with MonitorProcess(folder, "--every", "1s", "flows/search.flow.yaml") as monitor:
        found = wait_runs(folder, "three runs", lambda rs: len(rs) >= 3, monitor)
        below = descendants(monitor.pid)
        assert browsers_of(monitor.pid), "no browser below the monitor"
        monitor.signal(signal.SIGTERM)
        code = monitor.wait()
    log = monitor.output()
    # 0, or 2 when the signal came mid-run: that flow stops at its next step and is not stored
    assert (code, "interrupted" in log) in ((0, False), (2, True)), log
    assert "Traceback" not in log, log
    assert not [p for p in below if alive(p)], "processes left behind: " + ", ".join(map(str, below))
    stored = runs(folder)
    assert len(stored) >= len(found)
    assert all(r.outcome in ("passed", "degraded") for r in stored), [(r.outcome, r.message) for r in stored]
    first = stored[0]
    assert first.location == "test-lab" and first.target == "live-demo" and first.flow == "flows/search.flow.yaml"
    assert [s["title"].split()[0] for s in first.steps] == ["goto", "fill", "click", "expect_text"], first.steps
    assert first.pages and first.started_at.tzinfo is not None and not first.recheck and not first.artifacts
    # One log line per stored run: time, flow, location, outcome, duration.
    lines = [line for line in log.splitlines() if "flows/search.flow.yaml  @test-lab  " in line]
    assert len(lines) == len(stored), log
    assert " passed  " in lines[0] and " ms" in lines[0], lines[0]
    # The secret typed into the search is nowhere: not in the database file, the log, the JSON.
    shown = subprocess.run([str(CLI), "history", "--json"], cwd=folder, capture_output=True, text=True,
                           timeout=WAIT_S)
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)
    assert [r["run_id"] for r in rows] == [r.run_id for r in reversed(stored)]  # newest first
    for text in (shown.stdout, log, (folder / "reports" / "history.db").read_bytes().decode(errors="replace")):
        assert SECRET not in text and SECRET.replace("-", "%2D") not in text
    # The reproduce line is `checkout-tester run` of this very variant (collected alone).
    assert rows[0]["reproduce"] == "checkout-tester run flows/search.flow.yaml::search --target=live.yaml"
    program, *rest = shlex.split(rows[0]["reproduce"])
    collected = subprocess.run([str(CLI), *rest, "--collect-only", "-q"], cwd=folder, capture_output=True,
                               text=True, timeout=WAIT_S)
    listed = [line for line in collected.stdout.splitlines() if line.startswith("flows/")]
    assert listed in (["flows/search.flow.yaml: 1"], ["flows/search.flow.yaml::search"]), collected.stdout  # that one
    table = subprocess.run([str(CLI), "history", "search.flow.yaml", "--since", "1h", "--location", "test-lab"],
                           cwd=folder, capture_output=True, text=True, timeout=WAIT_S)
    assert f"{len(stored)} run(s)" in table.stdout, table.stdout + table.stderr


def test_a_failure_is_rechecked_soon_and_a_pass_then_is_flaky(tmp_path: Path, store: Store) -> None:
    folder = project(tmp_path, store)
    store.set_faults("cart-confirm-remove")  # Remove asks confirm(): the dialog fails the flow
    try:
        with MonitorProcess(folder, "--every", "2s", "flows/cart.flow.yaml") as monitor:  # the flow says 10m, 4s
            failed = wait_runs(folder, "the failed run", lambda rs: len(rs) >= 1, monitor)[0]
            store.set_faults()  # fixed before the recheck
            done = wait_runs(folder, "the recheck", lambda rs: len(rs) >= 2, monitor)
            monitor.signal(signal.SIGTERM)
            assert monitor.wait() == 0, monitor.output()
    finally:
        store.set_faults()
    assert failed.outcome == "failed" and not failed.recheck, failed
    assert "confirm" in failed.message and failed.failed_step.startswith("4 click"), failed
    # Evidence of the failure only: a trace and a screenshot in the run's own folder.
    names = sorted(Path(p).name for p in failed.artifacts)
    assert "trace.zip" in names and "screenshot.png" in names, failed.artifacts
    assert all(Path(p).parent.name == failed.run_id and (folder / p).is_file() for p in failed.artifacts)
    recheck = done[1]
    assert recheck.outcome == "flaky" and recheck.recheck and not recheck.artifacts, recheck
    assert (recheck.started_at - failed.started_at).total_seconds() < 60  # not a whole interval later
    assert sorted(p.name for p in (folder / "reports" / "monitor" / "artifacts").iterdir()) == [failed.run_id]
    assert "flaky (recheck)" in monitor.output()


def test_a_run_longer_than_the_interval_is_not_started_twice(tmp_path: Path, store: Store) -> None:
    folder = project(tmp_path, store)
    store.set_faults("slow:/search:2500")  # each run takes over 2.5 s; ticks come every second
    try:
        with MonitorProcess(folder, "--every", "1s", "flows/search.flow.yaml") as monitor:
            done = wait_runs(folder, "two slow runs", lambda rs: len(rs) >= 2, monitor)
            monitor.signal(signal.SIGTERM)
            monitor.wait()
    finally:
        store.set_faults()
    assert all(r.outcome in ("passed", "degraded") for r in done), [(r.outcome, r.message) for r in done]
    for before, after in pairwise(done):  # one at a time: each starts after the last one ended
        assert after.started_at >= before.started_at + timedelta(milliseconds=before.duration_ms - 50)
    assert "skipped a run of flows/search.flow.yaml: its last run is still going" in monitor.output()
    assert re.search(r"stopped after \d+ run\(s\); [1-9]\d* tick\(s\) skipped", monitor.output()), monitor.output()


def test_a_killed_browser_comes_back_and_kill_9_of_the_monitor_loses_no_finished_run(
        tmp_path: Path, store: Store) -> None:
    folder = project(tmp_path, store)
    with MonitorProcess(folder, "--every", "1s", "flows/search.flow.yaml") as monitor:
        wait_runs(folder, "a first run", lambda rs: len(rs) >= 1, monitor)
        (browser,) = wait_for(lambda: browsers_of(monitor.pid), "the browser")  # type: ignore[misc]
        os.kill(browser, signal.SIGKILL)
        killed = datetime.now(timezone.utc)
        after = wait_runs(folder, "a passed run in a new browser",
                          lambda rs: any(r.started_at > killed and r.outcome == "passed" for r in rs), monitor)
        assert browsers_of(monitor.pid) and browser not in browsers_of(monitor.pid)
        wait_runs(folder, "two more runs", lambda rs: len(rs) >= len(after) + 2, monitor)
        os.killpg(monitor.pid, signal.SIGKILL)
        monitor.wait()
    logged = [line for line in monitor.output().splitlines() if "@test-lab  " in line]
    database = folder / "reports" / "history.db"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = runs(folder)
    assert len(stored) >= len(logged) >= len(after) + 2, monitor.output()  # every run logged is stored
    crashed = [r for r in stored if r.outcome != "passed"]
    assert len(crashed) <= 1 and all(r.failure_class == "browser crashed" for r in crashed), crashed


def drivers_of(pid: int) -> list[psutil.Process]:
    """The Playwright drivers (node ... run-driver) below pid."""
    found = []
    for process in psutil.Process(pid).children(recursive=True):
        try:
            if "run-driver" in process.cmdline() and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.Error:
            continue
    return found


def test_a_run_stuck_past_its_deadline_is_recorded_broken_and_its_lane_replaced(tmp_path: Path, store: Store) -> None:
    folder = project(tmp_path, store)
    with MonitorProcess(folder, "--every", "1s", "--recheck", "0", "--run-timeout", "15s",
                        "flows/search.flow.yaml") as monitor:
        wait_runs(folder, "a first run", lambda rs: len(rs) >= 1, monitor)
        (driver,) = drivers_of(monitor.pid)
        driver.suspend()  # SIGSTOP: the lane's calls wait for answers that never come (a driver or browser stuck)
        stuck = datetime.now(timezone.utc)

        def recovered(found: list[RunRecord]) -> bool:
            return any("did not end within" in r.message for r in found) and found[-1].outcome == "passed" \
                and found[-1].started_at > stuck

        after = wait_runs(folder, "the stuck run recorded, then a passed run on a fresh lane", recovered, monitor)
        wait_for(lambda: not driver.is_running() or driver.status() == psutil.STATUS_ZOMBIE,
                 "the stuck driver to be killed")
        assert len(drivers_of(monitor.pid)) == 1, "not one live driver below the monitor"
        monitor.signal(signal.SIGTERM)
        code = monitor.wait()
    (timed_out,) = [r for r in after if "did not end within" in r.message]
    assert timed_out.outcome == "broken" and timed_out.failure_class == "browser crashed", timed_out
    assert "15 s (--run-timeout)" in timed_out.message and timed_out.duration_ms >= 15000, timed_out
    assert timed_out.reproduce.startswith("checkout-tester run ")
    assert [r.outcome for r in after if r.started_at < timed_out.started_at] == ["passed"] * len(
        [r for r in after if r.started_at < timed_out.started_at])
    log = monitor.output()
    assert code in (0, 2) and "Traceback" not in log, log
    assert "outlived its deadline" in log and "did not end within 15 s" in log, log


def test_an_unreachable_store_is_broken_then_the_runs_pass_when_it_is_back(tmp_path: Path) -> None:
    with Store() as own:
        folder = project(tmp_path, own)
        with MonitorProcess(folder, "--every", "1s", "--recheck", "1s", "flows/search.flow.yaml") as monitor:
            wait_runs(folder, "a passed run", lambda rs: len(rs) >= 1, monitor)
            own.stop()
            down = wait_runs(folder, "a broken run and its failed recheck",
                             lambda rs: any(r.outcome == "broken" and r.recheck for r in rs), monitor)
            own.__enter__()
            back = wait_runs(folder, "a passed run after the store came back",
                             lambda rs: rs[-1].outcome == "passed" and len(rs) > len(down), monitor)
            monitor.signal(signal.SIGTERM)
            assert monitor.wait() in (0, 2), monitor.output()
    broken = [r for r in back if r.outcome == "broken"]
    assert broken and all(r.failure_class == "store unreachable" for r in broken), [(r.failure_class, r.message) for r in broken]
    assert "did not answer" in broken[0].message and broken[0].artifacts
    assert [r.outcome for r in back][0] == "passed"
    assert "broken (recheck)" in monitor.output() and "[store unreachable]" in monitor.output()


def test_preflight_finds_every_mistake_before_a_browser_starts(tmp_path: Path, store: Store) -> None:
    folder = project(tmp_path, store)
    (folder / "live.yaml").write_text(f"name: live-demo\nbase_url: http://127.0.0.1:{store.port}\n")
    done = subprocess.run([str(CLI), "monitor", "--target", "live.yaml", "--cron", "every minute", "flows"],
                          cwd=folder, capture_output=True, text=True, timeout=WAIT_S)
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 2, done.stderr
    assert "SHOP_PASSWORD" in done.stderr and "flows/search.flow.yaml:" in done.stderr, done.stderr
    assert "--cron 'every minute'" in done.stderr and "Traceback" not in done.stderr
    assert not (folder / "reports").exists()  # nothing started, nothing written


def test_a_production_target_refuses_flows_with_effects_it_does_not_allow(tmp_path: Path, store: Store) -> None:
    folder = project(tmp_path, store)
    target = (folder / "live.yaml").read_text(encoding="utf-8") + "production: true\nallow_effects: [sends-message]\n"
    (folder / "live.yaml").write_text(target, encoding="utf-8")
    (folder / "flows" / "cart.flow.yaml").write_text(
        (folder / "flows" / "cart.flow.yaml").read_text(encoding="utf-8") + "effects: [changes-account]\n")
    (folder / "flows" / "search.flow.yaml").write_text(
        (folder / "flows" / "search.flow.yaml").read_text(encoding="utf-8") + "effects: []\n")
    done = subprocess.run([str(CLI), "monitor", "--target", "live.yaml", "--every", "1m", "flows"],
                          cwd=folder, capture_output=True, text=True, timeout=WAIT_S)
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1 and "flows/cart.flow.yaml:" in errors[0], done.stderr  # search declares none: allowed
    assert "refused on production target" in errors[0] and "changes-account" in errors[0], errors[0]
    assert not (folder / "reports").exists()  # refused before anything ran
