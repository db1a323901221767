"""The shipped flows in Chromium against the demo store: all pass when healthy, and each fault
switch makes the flow that should catch it fail with a message that names the cause."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.runner import run_flows

pytestmark = pytest.mark.e2e


def test_all_shipped_flows_pass_against_the_healthy_store(tmp_path: Path) -> None:
    outcomes = run_flows(tmp_path, "flows")
    failed = {name: o.message for name, o in outcomes.items() if o.outcome != "passed"}
    assert not failed, failed
    assert {"signup[janet.doe@example.com]", "signup[Janet.Doe@Example.com]", "signup[JANET.DOE@EXAMPLE.COM]",
            "add_to_cart", "checkout_card", "checkout_wallet", "contact_support"} <= set(outcomes)


def test_uppercase_email_fault_fails_only_the_capitalised_signups(tmp_path: Path) -> None:
    outcomes = run_flows(tmp_path, "flows/signup.flow.yaml", faults=("uppercase-email",))
    assert outcomes["signup[janet.doe@example.com]"].outcome == "passed"
    for name in ("signup[Janet.Doe@Example.com]", "signup[JANET.DOE@EXAMPLE.COM]"):
        message = outcomes[name].message
        assert outcomes[name].outcome == "failed"
        assert "unknown email format" in message
        assert "flows/signup.flow.yaml:" in message and "Reproduce: " in message and " -m pytest " in message


@pytest.mark.parametrize(
    ("fault", "flow", "cause"),
    [
        ("wallet-down", "flows/checkout_wallet.flow.yaml", "WalletPay is temporarily unavailable"),
        ("support-500", "flows/contact_support.flow.yaml", "500"),
        ("checkout-js-error", "flows/checkout_wallet.flow.yaml", "[pageerror]"),
        ("cart-drops-items", "flows/checkout_card.flow.yaml", "Green Teapot × 1"),
    ],
)
def test_fault_is_caught_by_the_flow_that_should_catch_it(tmp_path: Path, fault: str, flow: str, cause: str) -> None:
    outcomes = run_flows(tmp_path, flow, faults=(fault,))
    (only,) = outcomes.values()
    assert only.outcome == "failed", only
    assert cause in only.message, only.message
    assert flow in only.message


def test_flows_wait_on_conditions_not_luck_under_jitter(tmp_path: Path) -> None:
    outcomes = run_flows(tmp_path, "flows/checkout_card.flow.yaml", "flows/checkout_wallet.flow.yaml",
                         faults=("jitter:400",))
    assert all(o.outcome == "passed" for o in outcomes.values()), outcomes


def test_slow_page_shows_in_the_step_time(tmp_path: Path) -> None:
    outcomes = run_flows(tmp_path, "flows/add_to_cart.flow.yaml", faults=("slow:/cart:1500",))
    assert outcomes["add_to_cart"].outcome == "passed"
    (result,) = [json.loads(p.read_text()) for p in (tmp_path / "allure-results").glob("*-result.json")]
    steps = {s["name"].split(" ", 2)[2]: s["stop"] - s["start"] for s in result["steps"]}  # "step 3 click ..."
    add = steps["click role='button' name='Add to cart'"]
    search = steps["click role='button' name='Search'"]
    assert add >= 1500 > search, steps
