"""Section 3's format features end to end in Chromium against the demo store's Swag Labs pages."""
from __future__ import annotations

from typing import Any

import pytest

from tests.format.conftest import Case, FormatRun

pytestmark = pytest.mark.e2e
SECRET = "demo-api-token-7f3k"  # swag.yaml's API_TOKEN


def _steps(case: Case) -> list[dict[str, Any]]:
    return list(case.allure.get("steps", []))


def test_locators_counts_texts_attributes_and_values_pass_on_a_data_test_shop(format_run: FormatRun) -> None:
    # testid: reads data-test (the target's testid_attribute); within nests, has_text and nth pick one
    case = format_run.cases["a_shop"]
    assert case.outcome == "passed", case.message
    names = [s["name"].split(" ", 2)[2] for s in _steps(case)]  # without the `step N` prefix
    assert "expect_count 6 x testid='inventory-item'" in names
    assert "click testid='add-to-cart' within testid='inventory-item' has_text='Bike Light'" in names
    assert all(s["status"] == "passed" for s in _steps(case))


def test_an_ambiguous_locator_names_how_many_matched(format_run: FormatRun) -> None:
    case = format_run.cases["c_ambiguous"]
    assert case.outcome == "failed"
    assert ("6 elements match testid='add-to-cart'; add nth:, has_text: or within: to pick one"
            in case.message), case.message
    assert "Class:    element not found\n" in case.message
    assert "c_ambiguous.flow.yaml:4" in case.message
    assert "strict mode violation" not in case.message


def test_soft_checks_let_the_flow_go_on_and_fail_it_at_the_end_listing_each(format_run: FormatRun) -> None:
    case = format_run.cases["b_soft"]
    assert case.outcome == "failed"
    message = case.message
    assert "6 soft checks failed (the flow went on after each)" in message, message
    assert "Class:    element not found\n" in message  # the class of the first soft failure
    for number, where, what in (
            (1, "b_soft.flow.yaml:4 step 2 `click", "6 elements match role='button' name='Add to cart'"),
            (2, "b_soft.flow.yaml:5 step 3 ", "Locator expected to have text 'Product'"),
            (3, "b_soft.flow.yaml:6 step 4 ", "6 elements match testid='inventory-item', expected 5"),
            (4, "b_soft.flow.yaml:7 step 5 ", "6 elements match testid='add-to-cart'; add nth:"),
            (5, "b_soft.flow.yaml:8 step 6 ", "not found: whole word 'standard' in testid='signed-in'"),
            (6, "soft_block.part.yaml:4 step ", "Locator expected to have text 'Your Cart'")):
        assert f"  {number}. " in message and where in message, (where, message)
        assert what in message, message
    assert "Actual value: Products" in message  # exact: true is the whole text, not containment
    assert "re.compile" not in message
    top = _steps(case)
    assert [s["status"] for s in top] == ["passed"] + ["failed"] * 6 + ["passed", "passed"], top  # Allure: soft failed
    block = [s["status"] for s in top[6]["steps"]]
    assert block == ["passed", "failed"], block  # a soft block stops at its first failure; the flow goes on
    assert case.allure["status"] == "failed"
    assert sum(a["name"].startswith("soft failure ") for a in case.allure.get("attachments", [])) == 6


def test_a_variant_that_fails_as_expected_passes_and_says_so(format_run: FormatRun) -> None:
    locked = format_run.cases["d_login[locked]"]
    assert locked.outcome == "passed", locked.message
    assert locked.properties["expected_failure"] == "'this user has been locked out'"
    assert locked.allure["status"] == "passed"
    assert any(a["name"] == "failed as expected" for a in locked.allure.get("attachments", []))
    assert format_run.cases["d_login[standard]"].outcome == "passed"
    # pytest's own line and checkout-tester's summary both name it, not as skipped
    assert "1 failed as expected" in format_run.output
    row = next(line for line in format_run.output.splitlines() if "d_login[locked]" in line and "│" in line)
    assert "failed as expected" in row and "this user has been locked out" in row, row
    assert "skipped" not in row


def test_a_variant_expected_to_fail_fails_when_it_passes_or_fails_otherwise(format_run: FormatRun) -> None:
    other = format_run.cases["d_login[locked_other_reason]"]
    assert other.outcome == "failed"
    assert "should fail with 'password has expired', but it failed otherwise" in other.message
    assert "  Failure:  step 1.4 `click testid='login-button'` failed at " in other.message, other.message
    assert "Epic sadface: Sorry, this user has been locked out." in other.message  # what it failed with
    passed = format_run.cases["d_login[standard_expected_to_fail]"]
    assert passed.outcome == "failed"
    assert "passed, but it should fail with 'locked out', class visible error message" in passed.message


def test_storage_state_is_saved_once_and_reused(format_run: FormatRun) -> None:
    assert format_run.cases["e_save_state"].outcome == "passed", format_run.cases["e_save_state"].message
    assert (format_run.folder / "state" / "standard_user.json").is_file()
    used = format_run.cases["f_use_state"]
    assert used.outcome == "passed", used.message  # logged in, with the cart in localStorage, no login step


def test_a_missing_storage_state_is_a_clear_error(format_run: FormatRun) -> None:
    case = format_run.cases["g_missing_state"]
    assert case.outcome == "error"
    assert "storage state file 'state/never_saved.json' not found" in case.message, case.message
    assert "save_storage_state: state/never_saved.json" in case.message
    assert "Traceback" not in case.message and "During handling" not in format_run.output


def test_cookies_and_local_storage_reach_the_store_and_secrets_stay_hidden(format_run: FormatRun) -> None:
    case = format_run.cases["h_cookies"]
    assert case.outcome == "failed"
    # every step before the last passed: currency and api_token cookies read by the server, consent banner
    # gone, remembered username filled in from localStorage
    statuses = [s["status"] for s in _steps(case)]
    assert statuses[:-1] == ["passed"] * (len(statuses) - 1) and statuses[-1] == "failed", statuses
    assert "h_cookies.flow.yaml:18" in case.message
    assert "the value of label='API token' is '••••••', expected 'not-the-token'" in case.message, case.message
    assert SECRET not in format_run.output
    assert SECRET not in format_run.written()
