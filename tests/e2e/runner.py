"""Run shipped flows in a real pytest subprocess (real Chromium, real demo store) and read JUnit XML."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    name: str
    outcome: str  # passed | failed | error | skipped
    message: str


def run_flows(tmp_path: Path, *paths: str, faults: tuple[str, ...] = (), extra: tuple[str, ...] = ()) -> dict[str, Outcome]:
    """pytest PATHS --store-fault F ...; returns test name -> outcome."""
    junit = tmp_path / "junit.xml"
    cmd = [sys.executable, "-m", "pytest", *paths, "-p", "no:cacheprovider", "-q", f"--junitxml={junit}",
           "--alluredir", str(tmp_path / "allure-results"), "--artifacts", str(tmp_path / "artifacts"),
           "--output", str(tmp_path / "test-results"), "-o", "junit_logging=no",
           "--timings-json", str(tmp_path / "timings.json")]  # not the repo's reports/: tests run side by side
    for fault in faults:
        cmd += ["--store-fault", fault]
    done = subprocess.run(cmd + list(extra), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert junit.exists(), done.stdout + done.stderr
    outcomes = read_junit(junit)
    assert outcomes, done.stdout + done.stderr
    return outcomes


def read_junit(junit: Path) -> dict[str, Outcome]:
    """Test name -> outcome and message, from a JUnit XML file."""
    outcomes: dict[str, Outcome] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome, message = "passed", ""
        for kind in ("failure", "error", "skipped"):
            node = case.find(kind)
            if node is not None:
                outcome, message = ("failed" if kind == "failure" else kind), (node.text or node.get("message", ""))
                break
        outcomes[case.get("name", "")] = Outcome(case.get("name", ""), outcome, message)
    return outcomes
