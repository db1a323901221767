"""`checkout-tester report` and its helpers: the generator found or installed, history per target, a warning
for stale results, --no-allure, and the executor of GitLab CI and Jenkins builds."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkout_tester.report import html
from tests.allure.conftest import AllureRun, ci_free_env
from tests.output.helpers import project

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("variables", "expected"), [
    ({"GITLAB_CI": "true", "CI_PROJECT_URL": "https://gitlab.example/acme/shop", "CI_PROJECT_PATH": "acme/shop",
      "CI_PIPELINE_IID": "88", "CI_JOB_NAME": "flows", "CI_JOB_URL": "https://gitlab.example/acme/shop/-/jobs/5"},
     {"name": "GitLab CI", "type": "gitlab", "url": "https://gitlab.example/acme/shop", "buildOrder": 88,
      "buildName": "acme/shop #88 (flows)", "buildUrl": "https://gitlab.example/acme/shop/-/jobs/5"}),
    ({"JENKINS_URL": "https://ci.example/", "BUILD_NUMBER": "301", "JOB_NAME": "shop-flows",
      "BUILD_URL": "https://ci.example/job/shop-flows/301/"},
     {"name": "Jenkins", "type": "jenkins", "url": "https://ci.example/", "buildOrder": 301,
      "buildName": "shop-flows #301", "buildUrl": "https://ci.example/job/shop-flows/301/"}),
    ({}, None),
])
def test_executor_from_ci_variables(tmp_path: Path, variables: dict[str, str], expected: dict | None) -> None:
    done = subprocess.run([sys.executable, "-m", "checkout_tester.report.executor", str(tmp_path)],
                          env=ci_free_env(**variables), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "executor.json"
    if expected is None:
        assert not written.exists()
        return
    assert json.loads(written.read_text()) == {**expected, "reportName": "checkout-tester"}


def test_history_is_kept_per_target(allure_run: AllureRun, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(allure_run.folder)  # `report` ran here once already, for target demo
    staging = allure_run.folder / "staging-results"
    shutil.copytree(allure_run.results, staging)
    env_file = staging / "environment.properties"
    env_file.write_text(env_file.read_text().replace("target=demo", "target=staging"))
    assert html.generate(str(staging), "reports/allure-report", single_file=False) == 0
    kept = Path("reports/allure-report-history")
    # Each target keeps its own trend: staging's first run does not continue demo's.
    assert len(json.loads((kept / "staging" / "history-trend.json").read_text())) == 1
    assert len(json.loads((kept / "demo" / "history-trend.json").read_text())) == 1
    site_trend = json.loads(Path("reports/allure-report-site/history/history-trend.json").read_text())
    assert len(site_trend) == 1 and site_trend[0]["buildOrder"] == 17  # the CI build number labels the trend

def test_a_run_with_no_allure_leaves_the_results_and_report_warns(allure_run: AllureRun, tmp_path: Path) -> None:
    folder = project(tmp_path)
    results = folder / "reports" / "allure-results"
    shutil.copytree(allure_run.results, results)  # an earlier run's results (their times kept)
    before = sorted(p.name for p in results.iterdir())
    (folder / "home.flow.yaml").write_text("name: Home\nsteps:\n  - goto: /\n  - expect_text: Demo Store\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "home.flow.yaml", "--no-allure", "-q", "-p",
                           "no:cacheprovider"], cwd=folder, capture_output=True, text=True, timeout=600,
                          env=ci_free_env())
    assert "1 passed" in done.stdout, done.stdout + done.stderr
    assert sorted(p.name for p in results.iterdir()) == before  # nothing written, nothing removed
    warning = html.stale_warning(results, folder / "reports" / "last-run.json")
    assert warning.startswith(f"warning: the Allure results in {results} are older than the last run"), warning
    assert "--no-allure" in warning
    assert html.stale_warning(allure_run.results, allure_run.folder / "reports" / "last-run.json") == ""


@pytest.mark.skipif(shutil.which("npm") is None or shutil.which("java") is None, reason="needs npm and Java")
def test_report_outside_the_repository_installs_the_generator_into_the_user_cache(tmp_path: Path) -> None:
    # A user's machine: no .tools/ here, no `allure` on PATH, no source checkout beside the package.
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "allure").exists())
    env = ci_free_env(PATH=path, XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("ALLURE_BIN", None)
    script = ("from pathlib import Path; import checkout_tester.report.allure_install as a; "
              "a.SOURCE_CHECKOUT = Path('/nonexistent'); print(a.ensure_generator())")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    binary = done.stdout.strip().splitlines()[-1]
    assert binary == str(tmp_path / "cache" / "checkout-tester" / "allure2" / "node_modules" / ".bin" / "allure")
    assert "installing allure-commandline@2" in done.stderr
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=120)
    assert version.stdout.startswith("2."), version.stdout + version.stderr
