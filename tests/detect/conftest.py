"""Run flows in pytest subprocesses (real Chromium, real demo store), two at a time, once per session."""
from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.runner import read_junit

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = "tests/detect/fixtures"
FAST = f"{FIXTURES}/fast.yaml"  # the demo target with short timeouts: these tests wait for failures

# name -> (paths, faults, target)
SCENARIOS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "uppercase-email": (("flows/signup.flow.yaml", "flows/signup_equivalents.flow.yaml"), ("uppercase-email",), FAST),
    "support-500": (("flows/contact_support.flow.yaml",), ("support-500",), FAST),
    "checkout-js-error": (("flows/checkout_wallet.flow.yaml",), ("checkout-js-error",), FAST),
    "wallet-down": (("flows/checkout_wallet.flow.yaml",), ("wallet-down",), FAST),
    "cart-drops-items": (("flows/checkout_card.flow.yaml",), ("cart-drops-items",), FAST),
    "healthy": (("flows/add_to_cart.flow.yaml", "flows/checkout_card.flow.yaml", "flows/checkout_wallet.flow.yaml",
                 "flows/contact_support.flow.yaml"), (), FAST),
    "policies": (tuple(sorted(str(p.relative_to(ROOT)) for p in (ROOT / FIXTURES).glob("*.flow.yaml"))), (),
                 f"{FIXTURES}/warn.yaml"),
    # the dialogs, error markup and broken assets detectors, against the detector pages (demostore/detect_pages.py)
    "dialogs": ((f"{FIXTURES}/dialogs",), ("cart-confirm-remove",), FAST),
    "markup": ((f"{FIXTURES}/markup",), (), FAST),
    "assets": ((f"{FIXTURES}/assets",), (), FAST),
    # a document left for the same URL while its stylesheet is still loading
    "reload": ((f"{FIXTURES}/reload",), ("slow:/static/style.css:1500",), FAST),
}


@dataclass
class Case:
    """One test case of a run: outcome, message, and what the engine wrote for it."""

    name: str
    outcome: str  # passed | failed | error | skipped
    message: str
    detections: list[dict[str, Any]] = field(default_factory=list)
    allure: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """A pytest subprocess: its cases by test name, and its console output."""

    cases: dict[str, Case]
    output: str


def run_scenario(folder: Path, paths: tuple[str, ...], faults: tuple[str, ...], target: str) -> Run:
    """pytest PATHS --target T --store-fault F ...; outcomes, detector logs and Allure results per case."""
    junit = folder / "junit.xml"
    cmd = [sys.executable, "-m", "pytest", *paths, "-p", "no:cacheprovider", "-q", f"--junitxml={junit}",
           "--alluredir", str(folder / "allure"), "--artifacts", str(folder / "artifacts"),
           "--output", str(folder / "test-results"), "-o", "junit_logging=no", "--target", target,
           "--timings-json", "", "--noconftest"]  # tests/conftest.py keeps */fixtures/* out of collection
    for fault in faults:
        cmd += ["--store-fault", fault]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert junit.exists(), done.stdout + done.stderr
    cases = {name: Case(name, o.outcome, o.message) for name, o in read_junit(junit).items()}
    results = [json.loads(p.read_text()) for p in (folder / "allure").glob("*-result.json")]
    for case in cases.values():
        case.allure = next((r for r in results if r["fullName"].endswith(f"#{case.name}")), {})
        log = next((json.loads(p.read_text()) for p in (folder / "artifacts").glob("*/detections.json")
                    if p.parent.name.endswith(_slug(case.name))), None)
        case.detections = log["findings"] if log else []
    return Run(cases, done.stdout + done.stderr)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every scenario, run two at a time (the browser work is mostly waiting on the store)."""
    base = tmp_path_factory.mktemp("detect")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(run_scenario, base / name, *spec) for name, spec in SCENARIOS.items()}
        return {name: future.result() for name, future in futures.items()}
