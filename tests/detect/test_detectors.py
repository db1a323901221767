"""The always-on detectors in Chromium against the demo store: each fault switch is caught by the shipped
flows and lands in its failure class; the healthy store reports nothing; policies and allow-lists work."""
from __future__ import annotations

import re
from typing import Any

import pytest

from checkout_tester.base.failure_classes import classify
from tests.detect.conftest import Case, Run

pytestmark = pytest.mark.e2e


def _steps(case: Case) -> list[dict[str, Any]]:
    pending, steps = list(case.allure.get("steps", [])), []
    while pending:
        step = pending.pop(0)
        steps.append(step)
        pending[:0] = step.get("steps", [])
    return steps


def _attachments(case: Case) -> list[str]:
    return [a["name"] for s in _steps(case) for a in s.get("attachments", [])]


@pytest.mark.parametrize(("fault", "case", "failure_class", "cause"), [
    ("uppercase-email", "signup[Janet.Doe@Example.com]", "visible error message", "unknown email format"),
    ("support-500", "contact_support", "server error", "[http] 500 POST"),
    ("checkout-js-error", "checkout_wallet", "page or console error", "payment.js:"),
    ("wallet-down", "checkout_wallet", "server error", "WalletPay is temporarily unavailable"),
    ("cart-drops-items", "checkout_card", "expected content missing", "Green Teapot × 1"),
])
def test_each_fault_is_caught_in_its_class(runs: dict[str, Run], fault: str, case: str, failure_class: str,
                                           cause: str) -> None:
    found = runs[fault].cases[case]
    assert found.outcome == "failed", found
    assert f"Class:    {failure_class}\n" in found.message, found.message
    assert classify(found.message) == failure_class
    assert cause in found.message, found.message
    assert ".flow.yaml:" in found.message and "Reproduce: " in found.message and " -m pytest " in found.message
    category = found.allure["statusDetails"]["message"]
    assert failure_class in category  # what Allure's categories.json matches on


def test_a_detector_failure_is_attached_to_the_step_where_it_happened(runs: dict[str, Run]) -> None:
    found = runs["support-500"].cases["contact_support"]
    (failed,) = [s for s in _steps(found) if s["status"] == "failed"]
    assert failed["name"].startswith("step ") and failed["name"].endswith(" click role='button' name='Send message'")
    assert any(a["name"].startswith("detector: FAILED") for a in failed.get("attachments", []))
    assert any(a["name"] == "detector log" for a in found.allure["attachments"])
    assert [f["status"] for f in found.detections if f["kind"] == "http"] == [500]
    assert {f["verdict"] for f in found.detections} == {"fail"}


def test_equivalent_emails_with_capitals_are_valid_input_rejected(runs: dict[str, Run]) -> None:
    cases = {name.partition("[")[2].rstrip("]"): case for name, case in runs["uppercase-email"].cases.items()
             if name.startswith("signup_equivalents[")}
    capitals = {"email=capital-local", "email=all-capitals", "email=capital-domain"}
    assert capitals < set(cases) and len(cases) >= 8
    for variant, case in cases.items():
        if variant in capitals:
            assert case.outcome == "failed", case
            assert "Class:    valid input rejected" in case.message
            assert f"valid input rejected: {variant}, " in case.message and "capital letters" in case.message
            assert "Page said: 'unknown email format'" in case.message
            # unique: the baseline typed with this run's token, e.g. janet.doe.k3x9qa@example.com
            assert re.search(r"the baseline 'janet\.doe\.[a-z0-9]+@example\.com' passed", case.message), case.message
        else:  # the baseline, spaces, plus-addressing, subdomain, long TLD; the inner space refused as expected
            assert case.outcome == "passed", (variant, case.message)
    refused = cases["email=inner-space"]
    assert any(a["name"] == "refused as expected" for a in refused.allure["attachments"])


def test_the_healthy_store_reports_nothing(runs: dict[str, Run]) -> None:
    run = runs["healthy"]
    assert {c.outcome for c in run.cases.values()} == {"passed"}, {n: c.message for n, c in run.cases.items()}
    assert "DetectorWarning" not in run.output
    for case in run.cases.values():
        surprising = [f for f in case.detections if f["verdict"] not in ("expected",)]
        assert not surprising, (case.name, surprising)
        assert not [a for a in _attachments(case) if a.startswith("detector: FAILED") or "warning" in a]


def test_warn_policy_passes_but_shows_the_warning(runs: dict[str, Run]) -> None:
    run = runs["policies"]
    case = run.cases["missing_page"]
    assert case.outcome == "passed", case.message
    assert [f["verdict"] for f in case.detections] == ["warn"]
    assert "DetectorWarning" in run.output and "404 GET" in run.output  # pytest's warnings summary
    assert any(a.startswith("detector: warning") for a in _attachments(case))


def test_allow_lists_and_ignore(runs: dict[str, Run]) -> None:
    cases = runs["policies"].cases
    allowed = cases["missing_page_allowed"]
    assert allowed.outcome == "passed", allowed.message
    assert [(f["verdict"], f["reason"]) for f in allowed.detections] == [("allowed", "404 GET .*/products/no-such-thing")]
    ignored = cases["missing_page_ignored"]
    assert ignored.outcome == "passed" and [f["verdict"] for f in ignored.detections] == ["ignore"]
    assert not [a for a in _attachments(ignored) if a.startswith("detector")]
    message = cases["bad_email_allowed"]
    assert message.outcome == "passed", message.message
    assert [f["verdict"] for f in message.detections] == ["allowed"]
    expected = cases["bad_email_expected"]
    assert expected.outcome == "passed", expected.message
    assert [f["verdict"] for f in expected.detections] == ["expected"]


def test_flow_level_fail_overrides_the_target_and_names_everything(runs: dict[str, Run]) -> None:
    cases = runs["policies"].cases
    failed = cases["missing_page_fail"]
    assert failed.outcome == "failed"
    message = failed.message
    assert "step 1 `goto /products/no-such-thing` failed at tests/detect/fixtures/missing_page_fail.flow.yaml:5" in message
    assert "Class:    request failed" in message and "[http] 404 GET" in message
    assert " -m pytest tests/detect/fixtures/missing_page_fail.flow.yaml::missing_page_fail" in message
    unexpected = cases["bad_email_unexpected"]
    assert unexpected.outcome == "failed" and "Class:    visible error message" in unexpected.message
    assert "'Please enter a valid email address.' in alert" in unexpected.message


def test_a_request_of_a_document_left_for_the_same_url_is_no_failure(runs: dict[str, Run]) -> None:
    case = runs["reload"].cases["same_url_again"]
    assert case.outcome == "passed", case.message
    aborted = [f for f in case.detections if f["kind"] == "requestfailed"]
    assert aborted, case.detections  # the stylesheet of the cart left behind was aborted (else this proves nothing)
    assert all(f["verdict"] == "expected" and "navigated away" in f["reason"] for f in aborted), aborted
