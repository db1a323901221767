"""`finally:` steps run after a failure, in the same page and scope, and their own failure never hides the first.

One `checkout-tester run` of tests/e2e/fixtures/finally/ against a demo store started here, whose database
the test then reads: what the finally steps did (an emptied cart, a support ticket) proves they ran.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.demostore import DemoStore
from tests.e2e.runner import Outcome, read_junit
from tests.live.store_process import cli
from tests.output.helpers import WAIT_S, allure_results, junit, midway, start_cli, wait_for

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parent / "fixtures" / "finally"


@dataclass
class Run:
    outcomes: dict[str, Outcome]
    steps: dict[str, list[tuple[str, str]]]  # flow name -> its Allure steps (name, status)
    tickets: list[str]
    cart_rows: int
    output: str


@pytest.fixture(scope="module")
def finally_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    folder = tmp_path_factory.mktemp("finally")
    shutil.copytree(FIXTURES, folder / "flows")
    with DemoStore() as store:
        (folder / "shop.yaml").write_text(f"name: shop\nbase_url: {store.url}\n"
                                          "timeouts: {step: 10s, navigation: 20s, expect: 2s}\n", encoding="utf-8")
        done = subprocess.run([*cli(), "run", "--target", "shop.yaml", "flows", "--alluredir", "allure",
                               "--retries=0"],  # a retry would run the finally steps twice on the store
                              cwd=folder, capture_output=True, text=True, timeout=600)
        with store.db.read() as conn:
            tickets = [row[0] for row in conn.execute("SELECT message FROM tickets")]
            cart_rows = conn.execute("SELECT COUNT(*) FROM cart_items").fetchone()[0]
    output = done.stdout + done.stderr
    assert (folder / "reports" / "junit.xml").exists(), output
    results: list[dict[str, Any]] = [json.loads(p.read_text()) for p in (folder / "allure").glob("*-result.json")]
    steps = {r["name"]: [(s["name"], s["status"]) for s in r.get("steps", [])] for r in results}
    yield Run(read_junit(folder / "reports" / "junit.xml"), steps, tickets, cart_rows, output)


def test_finally_steps_run_after_a_failure_and_use_saved_values(finally_run: Run) -> None:
    # The flow put a mug in the cart, then failed; its finally steps emptied the cart and wrote to support.
    assert finally_run.cart_rows == 0
    assert finally_run.tickets == ["Removed Blue Mug after a failed run"]  # {{ product }} was saved by a step
    steps = finally_run.steps["Clean up the cart after a failure"]
    assert steps[3:6] == [("step 4 click role='button' name='Add to cart'", "passed"),
                          ("step 5 expect_text 'Added Blue Mug to your cart.'", "passed"),
                          ("step 6 expect_text 'Free gift wrapping'", "failed")]
    assert steps[6:8] == [("step 8 goto /cart", "passed"),  # step 7 never ran; finally goes on from it
                          ("step 9 click role='button' name='Remove Blue Mug'", "passed")]
    assert len(steps) == 15 and all(status == "passed" for _, status in steps[6:])
    message = finally_run.outcomes["a_cleanup"].message
    assert message.startswith("Clean up the cart after a failure: step 6 `expect_text 'Free gift wrapping'` "
                              "failed at flows/a_cleanup.flow.yaml:9"), message
    assert "finally" not in message.lower()  # the clean-up passed: nothing to add


def test_a_failing_finally_step_is_reported_below_the_first_failure(finally_run: Run) -> None:
    message = finally_run.outcomes["b_finally_fails_too"].message
    lines = message.splitlines()
    assert lines[0] == ("The clean-up fails too: step 2 `expect_text 'Free gift wrapping'` failed at "
                        "flows/b_finally_fails_too.flow.yaml:5"), message
    also = lines.index("  Also failed in finally: flows/b_finally_fails_too.flow.yaml:8 step 4 "
                       "`expect_text 'Gift wrapping removed'` (expected content missing)")
    assert "     Expected: text 'Gift wrapping removed' on the page" in lines[also + 1:]
    assert lines[-1].startswith("  Reproduce: ") and lines.index("  Class:    expected content missing") == 1
    assert finally_run.steps["The clean-up fails too"] == [
        ("step 1 goto /", "passed"), ("step 2 expect_text 'Free gift wrapping'", "failed"),
        ("step 3 goto /cart", "passed"), ("step 4 expect_text 'Gift wrapping removed'", "failed")]  # 5 never ran


def test_a_flow_whose_steps_passed_fails_with_its_finally_failure(finally_run: Run) -> None:
    outcome = finally_run.outcomes["c_only_finally_fails"]
    assert outcome.outcome == "failed"
    assert outcome.message.startswith("Only the clean-up fails: step 2 `expect_text 'Gift wrapping removed'` "
                                      "failed at flows/c_only_finally_fails.flow.yaml:6"), outcome.message
    assert "Also failed" not in outcome.message


def test_after_a_first_interrupt_the_finally_steps_still_run(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES.with_name("finally_interrupt"), tmp_path / "flows")
    with DemoStore(faults=["slow:/cart:3000"]) as store:
        (tmp_path / "shop.yaml").write_text(f"name: shop\nbase_url: {store.url}\n", encoding="utf-8")
        proc = start_cli(tmp_path, "--target", "shop.yaml", "flows")
        try:
            wait_for(lambda: midway(tmp_path) or proc.poll() is not None, "the flow to reach its midway screenshot")
            os.kill(proc.pid, signal.SIGTERM)  # one signal: stop the steps, clean up, end the run
            out, _ = proc.communicate(timeout=WAIT_S)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        with store.db.read() as conn:
            tickets = [row[0] for row in conn.execute("SELECT message FROM tickets")]
    assert tickets == ["Cleaned up after an interrupt"], out
    message = junit(tmp_path)["interrupted"].message
    assert message.startswith("interrupted by SIGTERM") and "Also failed" not in message, message
    (result,) = allure_results(tmp_path)
    assert [s["status"] for s in result["steps"]][-6:] == ["passed"] * 6, result["steps"]
