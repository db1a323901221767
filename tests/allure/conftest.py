"""One real run shared by the Allure tests: plain `pytest` on shipped flows with Janet's bug, as on GitHub Actions."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.output.helpers import CLI, project

# Two variants fail for the same class at the same step; an equivalent spelling fails as "valid input
# rejected" while its step saw a "visible error message" (the class must be one, at every level).
FLOWS = ("flows/signup.flow.yaml::signup[Janet.Doe@Example.com]", "flows/signup.flow.yaml::signup[JANET.DOE@EXAMPLE.COM]",
         "flows/signup_equivalents.flow.yaml::signup_equivalents[email=capital-domain]")
GITHUB = {"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "acme/shop",
          "GITHUB_RUN_ID": "4242", "GITHUB_RUN_NUMBER": "17", "GITHUB_WORKFLOW": "flows", "GITHUB_JOB": "checkout"}
CI_MARKERS = ("GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL")


def ci_free_env(**extra: str) -> dict[str, str]:
    """This environment without any CI's variables (the suite itself may run on one), plus extra."""
    return {**{k: v for k, v in os.environ.items() if k not in CI_MARKERS}, **extra}


@dataclass
class AllureRun:
    folder: Path
    output: str
    results: Path
    report: Path  # the single-file index.html
    seconds: float

    def tests(self) -> dict[str, dict[str, Any]]:
        """Test name (title) -> its Allure result."""
        found = [json.loads(f.read_text()) for f in self.results.glob("*-result.json")]
        return {r["name"]: r for r in found}

    def attachment(self, result: dict[str, Any], name: str) -> Any:
        (source,) = [a["source"] for a in result["attachments"] if a["name"] == name]
        return json.loads((self.results / source).read_text())


@pytest.fixture(scope="package")
def allure_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AllureRun]:
    """`pytest FLOWS --store-fault uppercase-email` (no --alluredir), then `checkout-tester report`."""
    folder = project(tmp_path_factory.mktemp("allure"))
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", *FLOWS, "--store-fault", "uppercase-email", "-q",
                           "-p", "no:cacheprovider"], cwd=folder, capture_output=True, text=True, timeout=600,
                          env=ci_free_env(**GITHUB))
    output = done.stdout + done.stderr
    assert "3 failed" in output, output
    report = subprocess.run([str(CLI), "report"], cwd=folder, capture_output=True, text=True, timeout=600)
    assert report.returncode == 0, report.stdout + report.stderr
    yield AllureRun(folder, output + report.stdout + report.stderr, folder / "reports" / "allure-results",
                    folder / "reports" / "allure-report" / "index.html", time.monotonic() - started)
