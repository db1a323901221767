"""End to end: the audit step and the every-page target setting in real flow runs against the demo store."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checkout_tester.run.failure_text import classify
from tests.e2e.runner import ROOT, run_flows
from tests.mail.test_mail_flows import attachment_names

pytestmark = pytest.mark.e2e


def every_page_target(tmp_path: Path) -> str:
    """config/demo.yaml plus `accessibility: {audit: every_page, fail_on: [critical, serious]}`."""
    config = yaml.safe_load((ROOT / "config/demo.yaml").read_text())
    config["accessibility"] = {"audit": "every_page", "fail_on": ["critical", "serious"]}
    path = tmp_path / "every_page.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def test_unlabelled_field_fails_the_card_checkout_as_an_accessibility_violation(tmp_path: Path) -> None:
    outcomes = run_flows(tmp_path, "flows/checkout_card.flow.yaml", faults=("unlabelled-field",))
    failed = outcomes["checkout_card"]
    assert failed.outcome == "failed"
    assert "`audit_accessibility checkout page` failed at flows/checkout_card.flow.yaml:" in failed.message
    assert "accessibility violation: label (critical) at #postal_code on http://127.0.0.1:" in failed.message
    assert "/checkout: Form elements must have labels" in failed.message
    assert classify(failed.message) == "accessibility violation"


def test_every_page_audit_passes_the_healthy_store_popup_included(tmp_path: Path) -> None:
    outcomes = run_flows(tmp_path, "flows/checkout_wallet.flow.yaml", extra=("--target", every_page_target(tmp_path)))
    assert all(o.outcome == "passed" for o in outcomes.values()), {n: o.message for n, o in outcomes.items()}
    audited = [n for n in attachment_names(tmp_path / "allure-results") if n.startswith("accessibility audit http")]
    assert any("/authorize" in n for n in audited), audited  # the wallet popup, another origin
    for path in ("/signup", "/account", "/checkout", "/checkout/payment", "/orders/DS-"):
        assert any(path in n for n in audited), (path, audited)


def test_every_page_audit_catches_the_unlabelled_field_before_the_form_is_filled(tmp_path: Path) -> None:
    outcomes = run_flows(tmp_path, "flows/checkout_wallet.flow.yaml", faults=("unlabelled-field",),
                         extra=("--target", every_page_target(tmp_path)))
    failed = outcomes["checkout_wallet"]
    assert failed.outcome == "failed"
    assert "step 6 `goto /checkout` failed" in failed.message
    assert "(target setting accessibility.audit: every_page)" in failed.message
    assert "accessibility violation: label (critical) at #postal_code" in failed.message
    assert classify(failed.message) == "accessibility violation"
