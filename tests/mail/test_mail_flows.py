"""End to end: the shipped flows read the store's mail from the SMTP sink; a flow reads Mailpit too."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from checkout_tester.run.failure_text import classify
from tests.e2e.runner import ROOT, run_flows
from tests.mail.fake_mailpit import FakeMailpit

pytestmark = pytest.mark.e2e


def attachment_names(results: Path) -> list[str]:
    """Every attachment name in an allure-results folder (steps included)."""
    names: list[str] = []

    def walk(node: dict) -> None:
        names.extend(a["name"] for a in node.get("attachments", []))
        for child in node.get("steps", []):
            walk(child)

    for path in results.glob("*-result.json"):
        walk(json.loads(path.read_text()))
    return names


def test_checkout_and_support_flows_get_their_emails(tmp_path: Path) -> None:
    outcomes = run_flows(tmp_path, "flows/checkout_card.flow.yaml", "flows/checkout_wallet.flow.yaml",
                         "flows/contact_support.flow.yaml")
    assert {name: o.outcome for name, o in outcomes.items()} == {
        "checkout_card": "passed", "checkout_wallet": "passed", "contact_support": "passed"}, outcomes
    names = attachment_names(tmp_path / "allure-results")
    assert sum(n.startswith("email: Your Demo Store order DS-") for n in names) == 2, names
    assert any(n.startswith("email: We received your message [T-") for n in names), names
    assert "mailed_ticket" in names  # the value saved from the mail


def test_no_order_email_is_caught_and_support_mail_still_passes(tmp_path: Path) -> None:
    outcomes = run_flows(tmp_path, "flows/checkout_card.flow.yaml", "flows/contact_support.flow.yaml",
                         faults=("no-order-email",))
    assert outcomes["contact_support"].outcome == "passed"
    failed = outcomes["checkout_card"]
    assert failed.outcome == "failed"
    assert "email missing: no email to " in failed.message
    assert "with subject 'Your Demo Store order'" in failed.message and "arrived within 10s" in failed.message
    assert "flows/checkout_card.flow.yaml:" in failed.message
    assert classify(failed.message) == "email missing"


def test_a_flow_follows_a_link_it_read_from_mailpit(tmp_path: Path) -> None:
    demo = yaml.safe_load((ROOT / "config/demo.yaml").read_text())
    with FakeMailpit() as mailpit:
        link = f"{mailpit.url}/reset?token=tok-4711"
        mailpit.on_search = lambda: mailpit.add(  # the mail arrives while the flow waits for it
            "hal@example.com", "Reset your password", f"Open {link} to choose a new password.",
            f'<p>Open <a href="{link}">this link</a> to choose a new password.</p>')
        target = tmp_path / "mailpit.yaml"
        target.write_text(yaml.safe_dump({"name": "mailpit", "base_url": mailpit.url, "browser": demo["browser"],
                                          "mail": {"sink": "mailpit", "url": mailpit.url}}))
        flow = tmp_path / "reset.flow.yaml"
        flow.write_text('''name: Reset the password from the mailed link
steps:
  - expect_email:
      to: hal@example.com
      subject: Reset your password
      save: {var: link, pattern: 'href="([^"]+)"'}
  - goto: "{{ link }}"
  - expect_text: Choose a new password
  - expect_text: tok-4711
''')
        outcomes = run_flows(tmp_path, str(flow), extra=("--target", str(target)))
    assert [o.outcome for o in outcomes.values()] == ["passed"], [o.message for o in outcomes.values()]
    assert any(p.startswith("/api/v1/message/") for p in mailpit.requests)
