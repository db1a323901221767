"""`checkout-tester run` hands pytest its options untouched, in any position and spelling; --lf works."""
from __future__ import annotations

from pathlib import Path

import pytest

from checkout_tester.demostore import DemoStore
from tests.output.helpers import allure_results, junit, project, run_cli

pytestmark = pytest.mark.e2e


def test_xdist_option_before_the_paths(tmp_path: Path) -> None:
    cwd = project(tmp_path, ("a_first.flow.yaml", "c_last.flow.yaml"))
    done = run_cli(cwd, "-n", "2", "suite/")
    assert done.returncode == 0, done.stdout + done.stderr
    assert {k: v.outcome for k, v in junit(cwd).items()} == {"a_first": "passed", "c_last": "passed"}
    # Two workers: the two flows ran in two processes (Allure's thread label is pid-thread).
    threads = {label["value"].split("-")[0] for r in allure_results(cwd) for label in r["labels"]
               if label["name"] == "thread"}
    assert len(threads) == 2, threads


def test_k_without_a_path_runs_the_matching_shipped_flows(tmp_path: Path) -> None:
    cwd = project(tmp_path)
    done = run_cli(cwd, "-k", "add_to_cart")
    assert done.returncode == 0, done.stdout + done.stderr
    assert {k: v.outcome for k, v in junit(cwd).items()} == {"add_to_cart": "passed"}


@pytest.mark.parametrize("spelling", ["separate", "equals"])
def test_base_url_both_spellings_and_video(tmp_path: Path, spelling: str) -> None:
    cwd = project(tmp_path, ("a_first.flow.yaml",))
    with DemoStore() as store:
        option = ["--base-url", store.url] if spelling == "separate" else [f"--base-url={store.url}"]
        done = run_cli(cwd, *option, "suite/a_first.flow.yaml", "--video", "on")
    assert done.returncode == 0, done.stdout + done.stderr
    environment = (cwd / "reports" / "allure-results" / "environment.properties").read_text()
    assert f"base_url={store.url}\n" in environment
    assert list((cwd / "reports" / "test-results").rglob("*.webm")), "--video on recorded nothing"


def test_last_failed_reruns_only_the_failure(tmp_path: Path) -> None:
    cwd = project(tmp_path, ("a_first.flow.yaml", "d_fails.flow.yaml"))
    first = run_cli(cwd, "suite/")
    assert first.returncode == 1, first.stdout + first.stderr
    again = run_cli(cwd, "--lf", "suite/")
    assert {k: v.outcome for k, v in junit(cwd).items()} == {"d_fails": "failed"}, again.stdout
    first_failed = run_cli(cwd, "suite/", "--ff", "-x")
    assert {k: v.outcome for k, v in junit(cwd).items()} == {"d_fails": "failed"}, first_failed.stdout
