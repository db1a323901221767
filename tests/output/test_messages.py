"""What a failure says: its class (infrastructure ones too), the step's number, the text that matters."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.output.helpers import WAIT_S, allure_results, junit, midway, project, run_cli, wait_for

pytestmark = pytest.mark.e2e


def _message(cwd: Path, name: str) -> str:
    return junit(cwd)[name].message


def test_a_redirect_that_hangs_is_store_unreachable_and_broken(tmp_path: Path) -> None:
    cwd = project(tmp_path, ("e_hang.flow.yaml",))
    done = run_cli(cwd, "suite/", "--store-fault=slow:/cart:30000")
    message = _message(cwd, "e_hang")
    assert "Class:    store unreachable" in message, message
    assert "the store did not answer: GET http://" in message and "/cart (no answer for" in message, message
    assert [r["status"] for r in allure_results(cwd)] == ["broken"]
    assert "broken" in done.stdout


def test_a_store_killed_during_a_form_post_is_store_unreachable(tmp_path: Path) -> None:
    cwd = project(tmp_path, ("f_post.flow.yaml",))
    store = subprocess.Popen([sys.executable, "-m", "checkout_tester.demostore", "--port", "0",
                              "--fault", "slow:/cart:5000"], stdout=subprocess.PIPE, text=True)
    try:
        assert store.stdout is not None
        url = str(wait_for(lambda: next((w for w in store.stdout.readline().split() if w.startswith("http")), ""),
                           "the store's URL"))
        run = subprocess.Popen([sys.executable, "-m", "checkout_tester.cli.main", "run", "suite/", f"--base-url={url}",
                                "--retries=0"],  # one attempt: the message is the point here
                               cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_for(lambda: midway(cwd) or run.poll() is not None, "the flow to reach the product page")
        store.send_signal(signal.SIGKILL)
        out, _ = run.communicate(timeout=WAIT_S)
    finally:
        store.kill()
        store.wait()
    message = _message(cwd, "f_post")
    assert "Class:    store unreachable" in message, out
    assert "net::ERR_" in message, message
    assert [r["status"] for r in allure_results(cwd)] == ["broken"]


def test_a_locator_matching_many_is_element_not_found_naming_how_many(tmp_path: Path) -> None:
    cwd = project(tmp_path, ("g_click_many.flow.yaml",))
    run_cli(cwd, "suite/")
    message = _message(cwd, "g_click_many")
    assert "Class:    element not found" in message, message
    assert "resolved to 14 elements" in message or "elements" in message.split("Error:", 1)[1], message


def test_a_nested_failure_is_named_as_the_timings_name_it_and_quotes_the_nearest_text(tmp_path: Path) -> None:
    cwd = project(tmp_path, ("h_nested.flow.yaml",))
    run_cli(cwd, "suite/")
    message = _message(cwd, "h_nested")
    assert "Nested failure: step 2.4 `expect_text" in message, message
    assert "failed at flows/parts/add_to_cart.part.yaml:11" in message, message
    # Not the page's first lines (the navigation bar), but the line nearest to what was expected.
    assert "Nearest:  'Added Blue Mug to your cart.'" in message, message
    assert "Sign up" not in message and "Contact support" not in message, message
    runs = json.loads((cwd / "reports" / "timings.json").read_text())["runs"]
    assert "2.4" in [s["index"] for s in runs[0]["step_times"]]
    (result,) = allure_results(cwd)
    nested = [s["name"] for s in result["steps"][1]["steps"]]
    assert nested[3].startswith("step 2.4 expect_text"), nested
    assert result["steps"][1]["name"].startswith("step 2 use"), result["steps"][1]["name"]


def test_console_lines_show_the_page_error_not_the_allowed_noise(tmp_path: Path) -> None:
    cwd = project(tmp_path, ("i_console.flow.yaml",))
    run_cli(cwd, "suite/", "--store-fault=checkout-js-error")
    message = _message(cwd, "i_console")
    console = message.split("Console:", 1)[1].split("Reproduce:", 1)[0]
    assert "[pageerror] TypeError" in console, message
    assert "missing-" not in console, message  # four allowed 404s came later: they are not what matters


def test_repeats_group_a_step_by_its_line_when_its_title_changes_per_run(tmp_path: Path) -> None:
    cwd = project(tmp_path, ("j_repeat.flow.yaml",))
    done = run_cli(cwd, "suite/", "--repeat", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    (flow,) = json.loads((cwd / "reports" / "timings.json").read_text())["flows"].values()
    fill = [s for s in flow["steps"] if s["line"].endswith("j_repeat.flow.yaml:4")]
    assert len(fill) == 1 and fill[0]["ms"]["n"] == 3, flow["steps"]
    assert all(s["ms"]["n"] == 3 for s in flow["steps"]), flow["steps"]
