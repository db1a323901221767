"""Run the format fixtures once per session through `checkout-tester run` (real Chromium, the demo store)."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "format" / "fixtures"
# In this order: e_save_state writes the storage state f_use_state starts from.
FLOWS = ("a_shop", "b_soft", "c_ambiguous", "d_login", "e_save_state", "f_use_state", "g_missing_state",
         "h_cookies")


@dataclass
class Case:
    """One test case: outcome and message from JUnit, its JUnit properties and its Allure result."""

    outcome: str  # passed | failed | error | skipped
    message: str
    properties: dict[str, str]
    allure: dict[str, Any]


@dataclass
class FormatRun:
    """The whole run: cases by test name, the console output, the run folder."""

    cases: dict[str, Case]
    output: str
    folder: Path

    def written(self) -> str:
        """Everything the run wrote under reports/ (JUnit, Allure results, timings), as text."""
        texts = [p.read_text(errors="replace") for p in (self.folder / "reports").rglob("*")
                 if p.is_file() and p.suffix in (".xml", ".json", ".txt", ".properties")]
        return "\n".join(texts)


def _cases(folder: Path) -> dict[str, Case]:
    results = [json.loads(p.read_text()) for p in (folder / "reports" / "allure-results").glob("*-result.json")]
    cases: dict[str, Case] = {}
    for node in ET.parse(folder / "reports" / "junit.xml").getroot().iter("testcase"):
        name = node.get("name", "")
        outcome, message = "passed", ""
        for kind in ("failure", "error", "skipped"):
            found = node.find(kind)
            if found is not None:
                outcome = "failed" if kind == "failure" else kind
                message = found.text or found.get("message", "")
                break
        properties = {p.get("name", ""): p.get("value", "") for p in node.iter("property")}
        allure = next((r for r in results if r["fullName"].endswith(f"#{name}")), {})
        cases[name] = Case(outcome, message, properties, allure)
    return cases


@pytest.fixture(scope="session")
def format_run(tmp_path_factory: pytest.TempPathFactory) -> FormatRun:
    """`checkout-tester run --target swag.yaml` on every fixture flow, in a folder of its own."""
    folder = tmp_path_factory.mktemp("format")
    (folder / "fixtures").symlink_to(FIXTURES, target_is_directory=True)
    cli = Path(sys.executable).with_name("checkout-tester")
    paths = [f"fixtures/{name}.flow.yaml" for name in FLOWS]
    # --noconftest: tests/conftest.py keeps */fixtures/* out of collection
    done = subprocess.run([str(cli), "run", "--target", "fixtures/swag.yaml", *paths, "--noconftest",
                           "--retries=0"],  # one attempt per flow: these tests read its message
                          cwd=folder, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert (folder / "reports" / "junit.xml").exists(), output
    return FormatRun(_cases(folder), output, folder)
