"""Visible errors without error_patterns, in Chromium against the demo store: live regions, invalid fields,
HTML5 validation and framework error markup are caught at the action that caused them, with the field's label;
success messages, unchanged boxes and messages the flow expects are not."""
from __future__ import annotations

from typing import Any

import pytest

from tests.detect.conftest import Case, Run

pytestmark = pytest.mark.e2e
TAKEN = "An account with this email already exists."


def _markup(case: Case) -> list[dict[str, Any]]:
    return [f for f in case.detections if f["detector"] == "error_markup"]


def _failed_at(case: Case, step: str, flow: str) -> None:
    assert case.outcome == "failed", case.message
    assert f"{step} failed at tests/detect/fixtures/markup/{flow}.flow.yaml:" in case.message, case.message
    assert "Class:    visible error message" in case.message
    assert "expected content missing" not in case.message


@pytest.mark.parametrize(("style", "line"), [
    ("django", f"{TAKEN!r} at field 'Email' (ul.errorlist (Django))"),
    ("bootstrap", f"{TAKEN!r} at field 'Email' (.invalid-feedback (Bootstrap))"),
    ("aria", f"{TAKEN!r} at field 'Email' (aria-invalid)"),
    ("rails", f"'1 error prohibited this account from being saved: Email: {TAKEN}' (#error_explanation (Rails))"),
])
def test_a_refused_signup_is_a_visible_error_at_its_click(runs: dict[str, Run], style: str, line: str) -> None:
    case = runs["markup"].cases[f"signup_taken[{style}]"]
    _failed_at(case, "step 10 `click role='button' name='Create account'`", "signup_taken")
    assert f"visible error message: [message] {line}" in case.message
    assert [f["verdict"] for f in _markup(case)] == (["fail", "fail"] if style == "rails" else ["fail"])
    if style == "rails":  # the summary names no single field; the wrapped input does
        assert "also: [message] field 'Email' is marked as an error (.field_with_errors)" in case.message
    # the hidden Bootstrap feedback of the valid password field is no finding
    assert not [f for f in _markup(case) if "Please check this field" in f["text"]]


def test_the_store_signup_twice_is_caught_at_the_click(runs: dict[str, Run]) -> None:
    case = runs["markup"].cases["store_signup_twice"]
    _failed_at(case, "step 7 `click role='button' name='Create account'`", "store_signup_twice")
    assert f"[message] {TAKEN!r} (role=alert)" in case.message


def test_a_locked_out_user_is_caught_at_the_click(runs: dict[str, Run]) -> None:
    case = runs["markup"].cases["sauce_locked_out"]
    _failed_at(case, "step 4 `click role='button' name='Login'`", "sauce_locked_out")
    assert "[message] 'Epic sadface: Sorry, this user has been locked out.' ([data-test=error] (error))" in case.message


def test_a_polite_live_region_marked_as_an_error(runs: dict[str, Run]) -> None:
    case = runs["markup"].cases["coupon_live_region"]
    _failed_at(case, "step 3 `click role='button' name='Apply coupon'`", "coupon_live_region")
    assert "[message] 'We do not know the code BOGUS.' (aria-live)" in case.message


def test_the_browser_refusing_a_form_is_caught_with_the_field(runs: dict[str, Run]) -> None:
    case = runs["markup"].cases["html5_refused"]
    _failed_at(case, "step 4 `click role='button' name='Create account'`", "html5_refused")
    assert "[message] the browser refused the form: field 'Email': " in case.message
    assert "janet.doe.example.com" in case.message and "(HTML5 :invalid)" in case.message


def test_a_field_flagged_while_typing_counts_at_the_submit(runs: dict[str, Run]) -> None:
    case = runs["markup"].cases["aria_live_check"]
    _failed_at(case, "step 4 `click role='button' name='Create account'`", "aria_live_check")
    (finding,) = _markup(case)  # flagged when the email lost focus (step 3), judged at the submit, once
    assert finding["text"] == "'That does not look like an email address.' at field 'Email' (aria-invalid)"
    assert finding["step"].startswith("4 click")


def test_success_messages_are_no_errors(runs: dict[str, Run]) -> None:
    case = runs["markup"].cases["coupon_success"]
    assert case.outcome == "passed", case.message
    assert not _markup(case) and {f["verdict"] for f in case.detections} <= {"expected"}


def test_a_message_the_flow_expects_stays_expected_and_is_not_reported_again(runs: dict[str, Run]) -> None:
    case = runs["markup"].cases["sauce_locked_out_expected"]
    assert case.outcome == "passed", case.message
    # one finding: the box did not change at the Tab press, the fill or the next click (which navigated)
    assert [(f["verdict"], f["reason"]) for f in _markup(case)] == [
        ("expected", "the flow expects 'sorry, this user has been locked out.'")]
    required = runs["markup"].cases["django_required_expected"]
    assert required.outcome == "passed", required.message
    # the second submit renders a new page with the (password's) same message: new again, and expected again
    assert [(f["verdict"], f["step"][:1], f["extra"]["label"]) for f in _markup(required)] == [
        ("expected", "2", "Email"), ("expected", "5", "Password")]


def test_error_markup_ignored_leaves_the_next_check_to_fail(runs: dict[str, Run]) -> None:
    case = runs["markup"].cases["signup_taken_ignored"]
    assert case.outcome == "failed" and "Class:    expected content missing" in case.message
    assert not _markup(case)
