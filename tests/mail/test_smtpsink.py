"""The local SMTP sink: a real aiosmtpd server on a free port; the demo store mails into it."""
from __future__ import annotations

import smtplib
import threading
import time
import urllib.parse
import urllib.request
from email.message import EmailMessage
from typing import Iterator

import pytest

from checkout_tester.demostore import DemoStore
from checkout_tester.mail.mailbox import EmailMissing, Mailbox, open_mail_source, smtp_address
from checkout_tester.mail.mailpit import MailpitClient
from checkout_tester.mail.smtp_sink import SmtpSink, wait_for_mail
from checkout_tester.target.config import MailSettings, Target


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as running:
        yield running


def send(sink: SmtpSink, to: str, subject: str, text: str, html: str | None = None) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Shop <shop@store.test>", to, subject
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    with smtplib.SMTP(sink.host, sink.port, timeout=5) as smtp:
        smtp.send_message(msg)


def test_sink_listens_on_a_free_port_and_keeps_each_mail(sink: SmtpSink) -> None:
    assert sink.port > 0
    send(sink, "Dee@Example.com", "Your order DS-7", "Order number: DS-7\n", "<p>Order <b>DS-7</b></p>")
    (mail,) = sink.mails
    assert mail.to == ("dee@example.com",) and mail.subject == "Your order DS-7"
    assert mail.body == "Order number: DS-7\n" and "<b>DS-7</b>" in mail.html


def test_only_mail_after_the_flow_started_counts(sink: SmtpSink) -> None:
    send(sink, "eve@example.com", "Your order DS-1", "from an earlier test")
    mailbox = Mailbox(sink, since=time.time() + 0.001)
    with pytest.raises(EmailMissing, match="no mail at all reached eve@example.com"):
        mailbox.expect("eve@example.com", subject="Your order", timeout_s=0.2)


def test_waiting_wakes_on_arrival_not_on_a_timer(sink: SmtpSink) -> None:
    mailbox = Mailbox(sink)
    threading.Timer(0.2, send, (sink, "fay@example.com", "Your code", "Your code is 493021.")).start()
    started = time.monotonic()
    mail = mailbox.expect("fay@example.com", subject="Your code", body="code is", timeout_s=8)
    assert time.monotonic() - started < 2 and "493021" in mail.body


def test_demo_store_mails_into_the_sink(sink: SmtpSink) -> None:
    with DemoStore(**smtp_address(sink)) as store:
        form = urllib.parse.urlencode({"name": "Gus", "email": "gus@example.com", "message": "Hi"}).encode()
        with urllib.request.urlopen(f"{store.url}/support", data=form, timeout=10) as answer:
            assert answer.status == 200
        assert wait_for_mail(sink, 1, timeout_s=5)
    assert sink.mails[0].subject == "We received your message [T-000001]"
    assert "Your ticket number is T-000001." in sink.mails[0].body


def test_which_sink_a_target_gets() -> None:
    with open_mail_source(Target(name="demo")) as demo:
        assert isinstance(demo, SmtpSink) and smtp_address(demo) == {"smtp_host": "127.0.0.1", "smtp_port": demo.port}
    with open_mail_source(Target(base_url="https://shop.example")) as none:
        assert none is None and smtp_address(none) == {}
    mailpit = Target(base_url="https://shop.example", mail=MailSettings(sink="mailpit", url="http://127.0.0.1:8025"))
    with open_mail_source(mailpit) as client:
        assert isinstance(client, MailpitClient) and smtp_address(client) == {}
