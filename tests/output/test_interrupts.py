"""Ctrl-C, SIGTERM and a killed browser mid-suite: every finished flow's reports are written, the
interrupted flow is recorded as interrupted, no browser is left behind, no traceback is printed."""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from tests.output.helpers import (
    WAIT_S,
    alive,
    allure_results,
    browsers_of,
    descendants,
    junit,
    midway,
    project,
    start_cli,
    wait_for,
)

pytestmark = pytest.mark.e2e
SUITE = ("a_first.flow.yaml", "b_middle.flow.yaml", "c_last.flow.yaml")


def _interrupt(tmp_path: Path, send: str) -> tuple[int, str, list[int]]:
    cwd = project(tmp_path, SUITE)
    proc = start_cli(cwd, "suite/", "--store-fault=slow:/cart:4000")
    try:
        wait_for(lambda: midway(cwd) or proc.poll() is not None, "flow b to reach its midway screenshot")
        below = descendants(proc.pid)
        assert browsers_of(proc.pid), "no browser was running"
        if send == "group-int":
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole foreground group
        else:
            os.kill(proc.pid, signal.SIGTERM)  # a cancelled CI job
        out, _ = proc.communicate(timeout=WAIT_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, out, below


@pytest.mark.parametrize("send", ["term", "group-int"])
def test_an_interrupted_run_keeps_what_finished_and_claims_nothing(tmp_path: Path, send: str) -> None:
    code, out, below = _interrupt(tmp_path, send)
    assert "Traceback" not in out and "TargetClosedError" not in out, out
    assert code == 2, out  # pytest's "interrupted"
    outcomes = junit(tmp_path)
    assert outcomes["a_first"].outcome == "passed", out
    signame = "SIGTERM" if send == "term" else "SIGINT"
    assert outcomes["b_middle"].outcome == "failed", out  # JUnit has no "interrupted": a failure saying so
    assert f"interrupted by {signame}" in outcomes["b_middle"].message, outcomes["b_middle"].message
    assert "c_last" not in outcomes, out  # never started: not claimed either way
    runs = json.loads((tmp_path / "reports" / "timings.json").read_text())["runs"]
    assert [r["status"] for r in runs if r["flow"].endswith("a_first.flow.yaml")] == ["passed"]
    assert [r["status"] for r in runs if r["flow"].endswith("b_middle.flow.yaml")] == ["interrupted"]
    allure = {r["name"]: r for r in allure_results(tmp_path)}
    assert allure["First, quick"]["status"] == "passed"
    middle = allure["Middle, long"]
    assert middle["status"] == "broken", middle
    assert middle["statusDetails"]["message"].startswith(f"interrupted: interrupted by {signame}")  # <class>: ...
    assert "Class:    interrupted" in middle["statusDetails"]["trace"]
    assert "interrupted" in out  # the summary says so
    assert not [p for p in below if alive(p)], "processes left behind: " + ", ".join(map(str, below))


def test_a_killed_browser_costs_one_flow_and_the_rest_run_in_a_new_one(tmp_path: Path) -> None:
    cwd = project(tmp_path, SUITE)
    proc = start_cli(cwd, "suite/", "--store-fault=slow:/cart:4000")
    try:
        wait_for(lambda: midway(cwd) or proc.poll() is not None, "flow b to reach its midway screenshot")
        first = browsers_of(proc.pid)
        assert first, "no browser was running"
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=WAIT_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "Traceback" not in out, out
    outcomes = junit(cwd)
    assert outcomes["a_first"].outcome == "passed", out
    assert outcomes["b_middle"].outcome == "failed", out
    assert "Class:    browser crashed" in outcomes["b_middle"].message, outcomes["b_middle"].message
    assert outcomes["c_last"].outcome == "passed", out  # relaunched
    allure = {r["name"]: r for r in allure_results(cwd)}
    assert allure["Middle, long"]["status"] == "broken"
    assert "browser crashed" in out
