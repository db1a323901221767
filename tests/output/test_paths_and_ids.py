"""Flow files anywhere, ids that never move: the same test and Allure history ids on every run."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.output.helpers import allure_results, junit_ids, project, run_cli

pytestmark = pytest.mark.e2e


def _history(cwd: Path) -> dict[str, str]:
    return {r["name"]: r["historyId"] for r in allure_results(cwd)}


def test_a_flow_outside_the_current_folder_runs_and_its_reports_are_written(tmp_path: Path) -> None:
    elsewhere = project(tmp_path / "elsewhere", ("a_first.flow.yaml",))
    cwd = tmp_path / "here"
    cwd.mkdir()
    flow = str(elsewhere / "suite" / "a_first.flow.yaml")
    seen = []
    for _ in range(2):  # the second run finds reports/ from the first: nothing may move
        done = run_cli(cwd, flow)
        out = done.stdout + done.stderr
        assert done.returncode == 0, out
        assert "Traceback" not in out and "KeyError" not in out, out
        assert json.loads((cwd / "reports" / "timings.json").read_text())["runs"], out
        (result,) = allure_results(cwd)
        labels = {label["name"]: label.get("value") for label in result["labels"]}
        assert labels["package"], labels  # not empty
        assert any(a["name"].startswith("timings over all runs") for a in result["attachments"])
        seen.append((junit_ids(cwd), _history(cwd)))
    assert seen[0] == seen[1]
    assert seen[0][0] == ["...elsewhere.suite.a_first.flow.yaml::a_first"]  # ../elsewhere/suite/...


def test_plain_pytest_ids_do_not_move_when_reports_appear(tmp_path: Path) -> None:
    # No pytest config in this folder: pytest's rootdir follows the arguments, and an existing
    # reports/allure-results among them used to move it (flows/x vs x as the test's id).
    cwd = project(tmp_path, ("a_first.flow.yaml",))
    cmd = [sys.executable, "-m", "pytest", "suite/a_first.flow.yaml", "--alluredir", "reports/allure-results",
           "--junitxml", "reports/junit.xml", "-q", "-p", "no:cacheprovider"]
    seen = []
    for _ in range(2):
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        seen.append((junit_ids(cwd), _history(cwd)))
    assert seen[0] == seen[1]
    assert seen[0][0] == ["suite.a_first.flow.yaml::a_first"]
