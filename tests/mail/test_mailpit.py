"""The Mailpit client against a real (fake) Mailpit HTTP server on 127.0.0.1."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest

from checkout_tester.mail.mailbox import EmailMissing, Mailbox, extract
from checkout_tester.mail.mailpit import MailpitClient, MailpitError, parse_time
from tests.mail.fake_mailpit import FakeMailpit


@pytest.fixture
def mailpit() -> Iterator[FakeMailpit]:
    with FakeMailpit() as server:
        yield server


def test_parse_time_takes_nanoseconds_and_z() -> None:
    assert parse_time("2024-01-10T10:30:00.123456789Z") == pytest.approx(1704882600.123456)
    assert parse_time("2024-01-10T11:30:00+01:00") == pytest.approx(1704882600)


def test_messages_are_filtered_by_recipient_and_arrival(mailpit: FakeMailpit) -> None:
    old = datetime.now(timezone.utc) - timedelta(minutes=5)
    mailpit.add("ann@example.com", "Your order DS-1 (earlier test)", "Order DS-1", created=old)
    mailpit.add("ann.other@example.com", "Your order DS-9", "Order DS-9")  # `to:` matches substrings
    mailpit.add("Ann@Example.com", "Your order DS-2", "Order number: DS-2", "<p>Order <b>DS-2</b></p>")
    client = MailpitClient(mailpit.url)
    found = client.messages("ann@example.com", since=time.time() - 1)
    assert [m.subject for m in found] == ["Your order DS-2"]
    assert found[0].to == ("ann@example.com",) and found[0].html.startswith("<p>")
    assert found[0].sender == "shop@store.test"
    paths = [p.split("?")[0] for p in mailpit.requests]
    assert paths[0] == "/api/v1/search" and paths[1].startswith("/api/v1/message/")
    assert "query=to%3A%22ann%40example.com%22" in mailpit.requests[0]


def test_mailbox_waits_for_mail_that_arrives_later(mailpit: FakeMailpit) -> None:
    mailbox = Mailbox(MailpitClient(mailpit.url, poll_s=0.05))
    html = '<p>Reset it <a href="http://shop.test/reset?token=abc123">here</a></p>'
    later = threading.Timer(0.3, mailpit.add, ("bob@example.com", "Reset your password", "", html))
    later.start()
    started = time.monotonic()
    mail = mailbox.expect("bob@example.com", subject="Reset your password", body="Reset it", timeout_s=5)
    assert time.monotonic() - started < 3
    assert mail.body.split() == ["Reset", "it", "here"]  # HTML-only mail: its text, tags removed
    assert extract(mail, r'href="([^"]+)"') == "http://shop.test/reset?token=abc123"


def test_missing_mail_names_what_did_arrive(mailpit: FakeMailpit) -> None:
    mailpit.add("cy@example.com", "Welcome to the shop", "Hello")
    mailbox = Mailbox(MailpitClient(mailpit.url, poll_s=0.05), since=time.time() - 1)
    with pytest.raises(EmailMissing) as failed:
        mailbox.expect("cy@example.com", subject="Your order", timeout_s=0.3)
    message = str(failed.value)
    assert message.startswith("email missing: no email to cy@example.com with subject 'Your order' arrived within 0.3s")
    assert "'Welcome to the shop'" in message


def test_mailpit_that_does_not_answer_is_named() -> None:
    with FakeMailpit() as gone:
        url = gone.url
    with pytest.raises(MailpitError, match="did not answer"):
        MailpitClient(url, timeout_s=2).messages("a@example.com", 0)
