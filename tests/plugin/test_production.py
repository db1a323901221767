"""A `production: true` target refuses, before any browser starts, the flows whose effects it does not allow."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

CLI = [sys.executable, "-c", "import sys; from checkout_tester.cli.main import main; sys.exit(main())"]
SIGNUP = """\
name: Sign up
effects: [creates-account]
steps:
  - use: {flow: parts/pay.part.yaml}
"""
PAY = "name: Pay\neffects: [charges-card]\nsteps:\n  - goto: /\n"
BROWSE = "name: Browse the catalog\nsteps:\n  - goto: /\n  - expect_text: Demo Store\n"
TARGET = "name: shop\nbase_url: demo\nproduction: true\nallow_effects: [sends-message]\n"
REFUSED = [
    "flows/browse.flow.yaml:1: refused on production target prod.yaml: it declares no effects; add effects: [...] "
    "to flows/browse.flow.yaml listing what it does to the store (effects: [] if nothing), or leave this flow out "
    "of the run",
    "flows/signup.flow.yaml:2: refused on production target prod.yaml: effects not allowed: creates-account, "
    "charges-card (from flows/parts/pay.part.yaml); allow them with allow_effects: [creates-account, "
    "sends-message, charges-card] at prod.yaml:4, or leave this flow out of the run",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "flows" / "parts").mkdir(parents=True)
    (tmp_path / "flows" / "signup.flow.yaml").write_text(SIGNUP, encoding="utf-8")
    (tmp_path / "flows" / "browse.flow.yaml").write_text(BROWSE, encoding="utf-8")
    (tmp_path / "flows" / "parts" / "pay.part.yaml").write_text(PAY, encoding="utf-8")
    (tmp_path / "prod.yaml").write_text(TARGET, encoding="utf-8")
    return tmp_path


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=300)


def _errors(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.removeprefix("ERROR: ") for line in done.stderr.splitlines() if line.startswith("ERROR: ")]


def _tests_run(cwd: Path) -> int:
    junit = cwd / "junit.xml"
    return int(ET.parse(junit).getroot().find("testsuite").get("tests", "0")) if junit.exists() else 0  # type: ignore[union-attr]


@pytest.mark.parametrize("how", ["pytest", "run"])
def test_pytest_and_run_refuse_before_any_browser(project: Path, how: str) -> None:
    common = ["flows", "--target", "prod.yaml", "--junitxml", "junit.xml", "-p", "no:cacheprovider"]
    command = [sys.executable, "-m", "pytest", *common] if how == "pytest" else [*CLI, "run", *common]
    done = _run(project, *command)
    assert done.returncode == 2, done.stdout + done.stderr
    assert _errors(done) == REFUSED
    assert "no tests ran" in done.stdout and _tests_run(project) == 0
    assert not (project / "reports" / "artifacts").exists()  # nothing ran: no screenshot, trace or log
    assert "Traceback" not in done.stdout + done.stderr


def test_validate_with_the_target_names_the_same_flows(project: Path) -> None:
    done = _run(project, *CLI, "validate", "--target", "prod.yaml", "flows")
    assert done.returncode == 1, done.stdout + done.stderr  # validate's code for any problem found
    assert done.stderr.splitlines() == REFUSED
    assert done.stdout.strip() == "3 flow file(s) and target prod.yaml checked, 2 error(s)"


def test_the_flows_left_out_of_the_run_are_not_refused(project: Path) -> None:
    (project / "flows" / "browse.flow.yaml").write_text("effects: []\n" + BROWSE, encoding="utf-8")
    done = _run(project, sys.executable, "-m", "pytest", "flows", "--target", "prod.yaml", "-k", "browse",
                "--junitxml", "junit.xml", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _errors(done) == [] and _tests_run(project) == 1
