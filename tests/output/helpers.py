"""Runs `checkout-tester run` as a user does, in a folder of its own, and reads what it wrote."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable

from tests.e2e.runner import ROOT, Outcome, read_junit

CLI = Path(sys.executable).with_name("checkout-tester")
FIXTURES = Path(__file__).parent / "fixtures"
# These tests read what one attempt reports; a retry of each failing flow would only add time (tests/retry
# covers the retries `checkout-tester run` makes by default). A test's own --retries comes later and wins.
ONE_ATTEMPT = ("--retries=0",)
WAIT_S = 240  # generous: six agents share two cores


def project(tmp_path: Path, flows: tuple[str, ...] = ()) -> Path:
    """A user's folder: the shipped flows and configs copied in, plus some of our fixture flows."""
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "config", tmp_path / "config")
    if flows:
        (tmp_path / "suite").mkdir()
        for name in flows:
            shutil.copy(FIXTURES / name, tmp_path / "suite" / name)
    return tmp_path


def run_cli(cwd: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`checkout-tester run ARGS` in cwd."""
    return subprocess.run([str(CLI), "run", *ONE_ATTEMPT, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def start_cli(cwd: Path, *args: str) -> subprocess.Popen[str]:
    """`checkout-tester run ARGS` in a process group of its own (so a test can signal the group)."""
    return subprocess.Popen([str(CLI), "run", *ONE_ATTEMPT, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def wait_for(condition: Callable[[], object], what: str, timeout: float = WAIT_S) -> object:
    """Poll a condition (no fixed sleep stands in for it); fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def junit(cwd: Path) -> dict[str, Outcome]:
    """Test name -> outcome of reports/junit.xml."""
    return read_junit(cwd / "reports" / "junit.xml")


def junit_ids(cwd: Path) -> list[str]:
    """classname::name of every test case."""
    root = ET.parse(cwd / "reports" / "junit.xml").getroot()
    return [f"{c.get('classname')}::{c.get('name')}" for c in root.iter("testcase")]


def allure_results(cwd: Path) -> list[dict]:
    """Every Allure test result of the last run."""
    return [json.loads(f.read_text()) for f in (cwd / "reports" / "allure-results").glob("*-result.json")]


def descendants(pid: int) -> list[int]:
    """Every process below pid (from /proc), children first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def browsers_of(pid: int) -> list[int]:
    """The main Chromium processes started below pid (not its renderers and helpers)."""
    return [p for p in descendants(pid) if "chrom" in cmdline(p) and "--type=" not in cmdline(p)
            and "--headless" in cmdline(p)]


def midway(cwd: Path) -> bool:
    """Whether b_middle has reached its `screenshot: midway` step."""
    return any((cwd / "reports" / "artifacts").glob("*/midway-*.png")) if (cwd / "reports").exists() else False


def env_without_display() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "DISPLAY"}
