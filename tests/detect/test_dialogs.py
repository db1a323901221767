"""Browser dialogs in Chromium against the demo store's detector pages: each one is recorded with its type and
text, fails (alert, confirm, prompt) or warns (beforeunload) unless a `dialog` step answers it."""
from __future__ import annotations

import pytest

from checkout_tester.base.failure_classes import classify
from tests.detect.conftest import Case, Run
from tests.detect.test_detectors import _attachments, _steps

pytestmark = pytest.mark.e2e


def _dialogs(case: Case) -> list[tuple[str, str, str]]:
    return [(f["extra"]["type"], f["extra"]["message"], f["verdict"]) for f in case.detections if f["kind"] == "dialog"]


@pytest.mark.parametrize(("name", "kind", "text", "step"), [
    ("coupon_alert", "alert", "Coupon expired", "step 3 `click role='button' name='Apply coupon'`"),
    ("cart_confirm_unexpected", "confirm", "Remove Blue Mug from your cart?", "step 2 `click role='button' name='Remove Blue Mug'`"),
])
def test_an_unexpected_dialog_fails_the_step_that_opened_it(runs: dict[str, Run], name: str, kind: str, text: str,
                                                            step: str) -> None:
    case = runs["dialogs"].cases[name]
    assert case.outcome == "failed", case.message
    assert f"{step} failed at tests/detect/fixtures/dialogs/{name}.flow.yaml:" in case.message
    assert "Class:    visible error message" in case.message and classify(case.message) == "visible error message"
    assert f"visible error message: [dialog] {kind} {text!r} on http://127.0.0.1:" in case.message
    assert "(no dialog step expected it)" in case.message
    assert _dialogs(case) == [(kind, text, "fail")]
    (failed,) = [s for s in _steps(case) if s["status"] == "failed"]
    assert any(a["name"].startswith("detector: FAILED") for a in failed.get("attachments", []))


def test_an_unexpected_confirm_is_dismissed_so_the_line_stays(runs: dict[str, Run]) -> None:
    case = runs["dialogs"].cases["cart_confirm_unexpected"]
    assert "Your cart is empty" not in case.message  # it failed at the click, not at the check after it
    dismissed = runs["dialogs"].cases["cart_confirm_dismiss"]
    assert dismissed.outcome == "passed", dismissed.message  # accept: false keeps the line ($12.00 still there)
    assert _dialogs(dismissed) == [("confirm", "Remove Blue Mug from your cart?", "expected")]


@pytest.mark.parametrize(("name", "expected"), [
    ("coupon_alert_expected", [("alert", "Coupon expired", "expected")]),
    ("cart_confirm_accept", [("confirm", "Remove Blue Mug from your cart?", "expected")]),
    ("gift_card_prompt", [("prompt", "Gift card number?", "expected")]),
    ("nested_dialogs", [("confirm", "Forget coupon WELCOME5?", "expected"), ("alert", "Coupon WELCOME5 forgotten.", "expected")]),
    ("coupon_alert_allowed", [("alert", "Coupon expired", "allowed")]),
])
def test_a_dialog_step_answers_the_dialog_it_expects(runs: dict[str, Run], name: str,
                                                     expected: list[tuple[str, str, str]]) -> None:
    case = runs["dialogs"].cases[name]
    assert case.outcome == "passed", case.message
    assert _dialogs(case) == expected
    assert not [a for a in _attachments(case) if a.startswith("detector: FAILED") or "warning" in a]


def test_the_dialog_step_notes_what_it_answered(runs: dict[str, Run]) -> None:
    case = runs["dialogs"].cases["gift_card_prompt"]
    (step,) = [s for s in _steps(case) if "dialog prompt" in s["name"]]
    assert step["name"] == "step 2 dialog prompt 'Gift card number'"
    assert [a["name"] for a in step["attachments"] if a["name"] == "dialog"] == ["dialog"]
    assert [s["name"] for s in step["steps"]] == ["step 2.1 click text='Check a gift card'"]  # its `open` step, nested


def test_a_dialog_that_never_opens_is_expected_content_missing(runs: dict[str, Run]) -> None:
    case = runs["dialogs"].cases["dialog_missing"]
    assert case.outcome == "failed"
    assert "step 3 `dialog 'Are you sure?'` failed at tests/detect/fixtures/dialogs/dialog_missing.flow.yaml:5" in case.message
    assert "Class:    expected content missing" in case.message
    assert "Expected: a dialog saying 'Are you sure?' to open, to accept it" in case.message
    assert "no dialog opened within 1s of `click role='button' name='Apply coupon'`" in case.message


def test_another_dialog_than_the_expected_one_fails_naming_both(runs: dict[str, Run]) -> None:
    case = runs["dialogs"].cases["dialog_wrong"]
    assert case.outcome == "failed"
    assert ("[dialog] alert 'Coupon expired' on http://127.0.0.1:" in case.message
            and "(the flow's dialog step waits for a confirm saying 'Forget coupon')" in case.message)
    assert "Class:    visible error message" in case.message
    assert _dialogs(case) == [("alert", "Coupon expired", "fail")]


def test_beforeunload_is_accepted_and_warns(runs: dict[str, Run]) -> None:
    run = runs["dialogs"]
    case = run.cases["notes_beforeunload"]
    assert case.outcome == "passed", case.message  # accepted: the goto went on to the home page
    assert _dialogs(case) == [("beforeunload", "", "warn")]
    assert "DetectorWarning: [dialog] beforeunload on http://127.0.0.1:" in run.output
    assert "[dialogs: warn] at step 4 goto /" in run.output
