"""A failed flow runs again at once with trace, video and HAR on; a pass on retry is flaky, never green.

Two `checkout-tester run`s with its defaults, in a user's folder, at the same time (they share nothing):
- "flaky": the teapot page answers 503 once (`flaky:/products/green-teapot:1`), and the shipped add_to_cart flow
  passes at once. Exit 0; the teapot flow is flaky in the console, JUnit, Allure and timings.json, with the
  first attempt's failure and the retry's trace, video and HAR; add_to_cart wrote no trace at all.
- "failing": the apron page answers 503 twice. Exit 1; the failure is the first attempt's, the retry's
  evidence is attached, and the typed password is in no file, trace or HAR included.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from checkout_tester.base.redaction import MASK
from tests.output.helpers import CLI, allure_results, project

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "retry pass & word 93"  # DEMO_SHOP_PASSWORD: config/demo.yaml's SHOP_PASSWORD, typed at signup
TEAPOT, APRON = "signup_then_teapot", "signup_then_apron"


@dataclass
class Run:
    cwd: Path
    code: int
    console: str

    def junit(self) -> dict[str, ET.Element]:
        """Test name -> its <testcase>."""
        root = ET.parse(self.cwd / "reports" / "junit.xml").getroot()
        return {case.get("name", ""): case for case in root.iter("testcase")}

    def outputs(self, name: str) -> list[Path]:
        """pytest-playwright's artifact folders of one test (the retry's ends in -retry1)."""
        return sorted(p for p in (self.cwd / "reports" / "test-results").glob(f"*{name}*") if p.is_dir())


def _start(cwd: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DEMO_SHOP_PASSWORD": PASSWORD}
    return subprocess.Popen([str(CLI), "run", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    folders = {name: project(tmp_path_factory.mktemp(name)) for name in ("flaky", "failing")}
    for cwd in folders.values():
        (cwd / "suite").mkdir()
        for flow in (TEAPOT, APRON):
            (cwd / "suite" / f"{flow}.flow.yaml").write_bytes((FIXTURES / f"{flow}.flow.yaml").read_bytes())
    started = time.monotonic()
    procs = {"flaky": _start(folders["flaky"], f"suite/{TEAPOT}.flow.yaml", "flows/add_to_cart.flow.yaml",
                             "--store-fault=flaky:/products/green-teapot:1"),
             "failing": _start(folders["failing"], f"suite/{APRON}.flow.yaml",
                               "--store-fault=flaky:/products/linen-apron:2")}
    done: dict[str, Run] = {}
    try:
        for name, proc in procs.items():
            out, _ = proc.communicate(timeout=400)
            done[name] = Run(folders[name], proc.returncode, out)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
    print(f"both runs took {time.monotonic() - started:.1f} s")
    yield done


def test_a_pass_on_retry_is_flaky_with_the_retrys_evidence_and_exit_0(runs: dict[str, Run]) -> None:
    run = runs["flaky"]
    assert run.code == 0, run.console
    assert "1 passed, 1 flaky" in run.console and "flaky (passed on retry)" in run.console, run.console
    assert "503 GET" in run.console  # the first attempt's failure is what the console shows of it
    case = run.junit()[TEAPOT]
    assert case.find("failure") is None and case.find("error") is None
    flaky = [p.get("value", "") for p in case.iter("property") if p.get("name") == "flaky"]
    assert len(flaky) == 1 and "503 GET" in flaky[0], flaky
    first, retry = run.outputs(TEAPOT)
    assert retry.name == first.name + "-retry1"
    assert {"trace.zip", "video.webm", "network.har"} <= {p.name for p in retry.iterdir()}, list(retry.iterdir())
    assert "trace.zip" not in {p.name for p in first.iterdir()}  # the first attempt ran without a trace
    assert "test-failed-1.png" in {p.name for p in first.iterdir()}  # but left its screenshot of the failure
    results = [r for r in allure_results(run.cwd) if r.get("fullName", "").endswith(f"#{TEAPOT}")]
    assert sorted(r["status"] for r in results) == ["failed", "passed"], results  # Allure: the retry and its first try
    tried = next(r for r in results if r["status"] == "failed")
    assert "screenshot on failure" in {a["name"] for a in tried["attachments"]}, tried["attachments"]
    passed = next(r for r in results if r["status"] == "passed")
    assert passed["statusDetails"]["flaky"] is True and "503 GET" in passed["statusDetails"]["message"]
    names = {a["name"] for a in passed["attachments"]}
    assert {"video", "network (HAR, retry)"} <= names and any(n.startswith("Playwright trace") for n in names), names
    timings = json.loads((run.cwd / "reports" / "timings.json").read_text())
    teapot = next(v for k, v in timings["flows"].items() if TEAPOT in k)
    assert (teapot["runs"], teapot["passed"], teapot["flaky"]) == (2, 1, 1), teapot


def test_the_default_run_of_a_passing_flow_records_nothing(runs: dict[str, Run]) -> None:
    run = runs["flaky"]
    assert run.junit()["add_to_cart"].find("failure") is None
    assert run.outputs("add_to_cart") == []  # no trace, video or HAR folder for a flow that passed at once
    result = next(r for r in allure_results(run.cwd) if r.get("fullName", "").endswith("#add_to_cart"))
    assert result["status"] == "passed" and not result.get("statusDetails", {}).get("flaky")
    assert not [a for a in result.get("attachments", []) if a["name"].startswith(("Playwright trace", "video"))]


def test_a_flow_failing_twice_reports_the_first_failure_with_the_retrys_evidence(runs: dict[str, Run]) -> None:
    run = runs["failing"]
    assert run.code == 1, run.console
    assert "1 failed, 1 rerun" in run.console and "failed again on retry 1" in run.console, run.console
    failure = run.junit()[APRON].find("failure")
    assert failure is not None
    text = failure.text or ""
    assert text.startswith("Sign up, then look at the apron: step 7 `goto /products/linen-apron` failed"), text
    assert "Class:    server error" in text and "503 GET" in text
    first, retry = run.outputs(APRON)
    assert {"trace.zip", "video.webm", "network.har"} <= {p.name for p in retry.iterdir()}
    final = next(r for r in allure_results(run.cwd) if r.get("fullName", "").endswith(f"#{APRON}") and "network (HAR, retry)" in
                 {a["name"] for a in r["attachments"]})
    assert final["status"] == "failed" and "step 7 `goto /products/linen-apron`" in final["statusDetails"]["message"]
    assert not final["statusDetails"].get("flaky")
    # the password typed at signup: blanked in the trace and the HAR, written nowhere
    har = (retry / "network.har").read_bytes()
    trace = b"".join(zipfile.ZipFile(retry / "trace.zip").read(n) for n in zipfile.ZipFile(retry / "trace.zip").namelist())
    assert MASK.encode() in har and MASK.encode() in trace  # the scrub had work to do in both
    forms = {PASSWORD, urllib.parse.quote(PASSWORD), urllib.parse.quote_plus(PASSWORD), json.dumps(PASSWORD)[1:-1]}
    leaks = [(str(path), form) for path in (run.cwd / "reports").rglob("*") if path.is_file()
             for data in [_contents(path)] for form in forms if form.encode() in data]
    assert leaks == [], leaks


def _contents(path: Path) -> bytes:
    """A file's bytes, and an archive's members too."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            data += b"".join(archive.read(name) for name in archive.namelist())
    return data
