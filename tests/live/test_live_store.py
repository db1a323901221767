"""The shipped flows against the demo store run as its own process, which keeps its data between runs.

Healthy: `flows/` passes twice in a row with no reset in between (unique emails, fresh fake data), then a third
time with two xdist workers sharing the target's one SMTP port.
Restarted with the `uppercase-email` fault: only the capitalised signups fail, naming "unknown email format".
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.runner import Outcome, read_junit
from tests.live.store_process import StoreProcess, cli, free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CAPITALISED = {"signup[Janet.Doe@Example.com]", "signup[JANET.DOE@EXAMPLE.COM]",
               "signup_equivalents[email=capital-local]", "signup_equivalents[email=all-capitals]",
               "signup_equivalents[email=capital-domain]"}


def _target(folder: Path, url: str, smtp_port: int) -> Path:
    """A target for the running store as the README says: base URL, secrets, the mail sink it sends to."""
    demo = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    target = {"name": "live-demo", "base_url": url, "browser": demo["browser"], "timeouts": demo["timeouts"],
              "error_patterns": demo["error_patterns"],
              "secrets": {"SHOP_PASSWORD": {"env": "LIVE_SHOP_PASSWORD", "default": "correct-horse-42"},
                          "CARD_NUMBER": {"env": "LIVE_CARD_NUMBER", "default": "4242 4242 4242 4242"}},
              "mail": {"sink": "smtp", "port": smtp_port}}
    path = folder / "live.yaml"
    path.write_text(yaml.safe_dump(target, sort_keys=False), encoding="utf-8")
    return path


def _run(folder: Path, how: str, junit_name: str, *more: str) -> dict[str, Outcome]:
    """`checkout-tester run` or `pytest` on flows/ in `folder`; outcomes from its JUnit file."""
    junit = folder / junit_name
    common = ["--target", "live.yaml", "--junitxml", str(junit), "--alluredir", str(folder / f"{junit_name}-allure"),
              *more]
    if how == "cli":
        cmd = [*cli(), "run", "flows", *common]
    else:
        cmd = [sys.executable, "-m", "pytest", "flows", "-p", "no:cacheprovider", "-q", *common]
    done = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=1200)
    assert junit.exists(), done.stdout + done.stderr
    outcomes = read_junit(junit)
    assert len(outcomes) >= 16 and CAPITALISED <= set(outcomes), done.stdout + done.stderr
    return outcomes


def _failed(outcomes: dict[str, Outcome]) -> dict[str, str]:
    return {name: o.message for name, o in outcomes.items() if o.outcome != "passed"}


def test_shipped_flows_pass_twice_on_a_store_that_keeps_its_data_then_catch_janets_bug(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "flows", tmp_path / "flows")  # the shipped flows, run from a folder of their own
    smtp_port = free_port()
    with StoreProcess(smtp_port) as store:
        _target(tmp_path, store.url, smtp_port)
        first = _run(tmp_path, "cli", "first.xml")
        assert not _failed(first), _failed(first)
        second = _run(tmp_path, "pytest", "second.xml")  # same store, same accounts and orders: no reset
        assert not _failed(second), _failed(second)
        assert set(second) == set(first)
        # Two workers, one SMTP port: the controller listens, each worker reads what arrived (pytest/shared_mail.py)
        third = _run(tmp_path, "cli", "third.xml", "-n", "2", "--retries", "0")
        assert not _failed(third), _failed(third)
        assert set(third) == set(first)
    with StoreProcess(smtp_port, faults=("uppercase-email",)) as store:
        _target(tmp_path, store.url, smtp_port)
        faulty = _run(tmp_path, "pytest", "faulty.xml")
    failed = _failed(faulty)
    assert set(failed) == CAPITALISED, failed
    for name, message in failed.items():
        assert "unknown email format" in message, (name, message)
