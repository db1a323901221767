"""`checkout-tester demo`, as a newcomer runs it: the expected summary and an offline HTML report."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.runner import ROOT

pytestmark = pytest.mark.e2e


@pytest.mark.skipif(shutil.which("java") is None, reason="Allure 2's generator needs Java (make setup installs it)")
def test_demo_prints_the_expected_summary_and_writes_an_offline_report(tmp_path: Path) -> None:
    # A copy of the shipped flows and configs, so the run writes its reports/ inside tmp_path.
    for folder in ("flows", "config", ".tools"):
        source = ROOT / folder
        (tmp_path / folder).symlink_to(source, target_is_directory=True)
    cli = Path(sys.executable).with_name("checkout-tester")
    done = subprocess.run([str(cli), "demo"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "As expected" in out
    assert "unknown email format" in out
    # The summary names each failing variant in full (brackets are not eaten as console markup).
    assert "✗ flows/signup.flow.yaml::signup[Janet.Doe@Example.com]  (visible error message)" in out
    assert "✗ flows/signup_equivalents.flow.yaml::signup_equivalents[email=capital-local]  (valid input rejected)" in out
    index = tmp_path / "reports" / "allure-report" / "index.html"
    assert index.exists(), out
    html = index.read_text()
    assert "googletagmanager" not in html and "google-analytics" not in html  # no outside host
    # A second report carries the first one's history: Allure's trend has two builds.
    again = subprocess.run([str(cli), "report"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    trend = json.loads((tmp_path / "reports" / "allure-report-site" / "history" / "history-trend.json").read_text())
    assert len(trend) == 2, trend
