"""`checkout-tester run -n 2`: the workers hand their waterfalls to the controlling process, whose one drawing
process draws them all into the Allure results (one matplotlib for the run, not one per worker)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("checkout-tester")


def test_workers_pictures_are_drawn_by_the_controllers_one_drawing_process(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "config", tmp_path / "config")
    run = subprocess.Popen([str(CLI), "run", "-n", "2", "-p", "no:cacheprovider", "flows/signup.flow.yaml"],
                           cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    drawers: dict[int, int] = {}  # drawing process -> its parent, sampled while the run lasts
    while run.poll() is None:
        try:
            below = psutil.Process(run.pid).children(recursive=True)
        except psutil.Error:
            break
        for process in below:
            try:
                if "checkout_tester.report.drawer" in " ".join(process.cmdline()):
                    drawers[process.pid] = process.ppid()
            except psutil.Error:
                continue
        psutil.wait_procs([psutil.Process(run.pid)], timeout=0.05)  # the next sample, or the run's end
    out = run.communicate()[0]
    assert run.returncode == 0, out
    assert drawers and set(drawers.values()) == {run.pid}, (drawers, run.pid)  # none below a worker
    results = tmp_path / "reports" / "allure-results"
    tests = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    assert len(tests) == 3
    for test in tests:
        (waterfall,) = [a for a in test["attachments"] if a["name"] == "waterfall"]
        svg = (results / waterfall["source"]).read_text(encoding="utf-8")
        assert svg.startswith("<?xml") and "Sign up a new shopper" in svg and test["parameters"], test["name"]
    junit = (tmp_path / "reports" / "junit.xml").read_text(encoding="utf-8")
    assert "checkout_picture" not in junit  # the hand-over is not a property CI shows
