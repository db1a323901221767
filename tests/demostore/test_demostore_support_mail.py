"""Support form, ticket numbers and mail delivery (log and real SMTP)."""
from __future__ import annotations

import email
import logging
import socketserver
import threading
from collections.abc import Iterator
from email.policy import default as default_policy

import pytest
from demostore_helpers import Client, buy, text_of

from checkout_tester.demostore import DemoStore


def test_support_page_contract(client: Client) -> None:
    html = client.get("/support").text
    assert "<h1>Contact support</h1>" in html
    for label in ("Name", "Email", "Order number (optional)", "Message"):
        assert f">{label}</label>" in html
    assert "<textarea" in html and ">Send message</button>" in html


def test_support_validation(client: Client) -> None:
    html = client.post("/support", {"name": "Ann", "email": "ann@example.com", "message": " "}).text
    assert text_of(html, "role", "alert") == "Please fill in: Message"
    html = client.post("/support", {"name": "", "email": "", "message": ""}).text
    assert text_of(html, "role", "alert") == "Please fill in: Name, Email, Message"
    html = client.post("/support", {"name": "Ann", "email": "ann", "message": "Hi"}).text
    assert text_of(html, "role", "alert") == "Please enter a valid email address."


def test_support_ticket_and_ack_mail(store: DemoStore, client: Client) -> None:
    data = {"name": "Ann", "email": "ann@example.com", "order_number": "DS-100001", "message": "Where is it?"}
    html = client.post("/support", data).text
    status = text_of(html, "role", "status")
    assert status == "Thanks, we received your message. Your ticket number is T-000001"
    assert text_of(html, "data-testid", "ticket-number") == "T-000001"
    second = text_of(client.post("/support", data).text, "data-testid", "ticket-number")
    assert second == "T-000002"
    mail = store.sent_mail
    assert [m["subject"] for m in mail] == ["We received your message [T-000001]",
                                            "We received your message [T-000002]"]
    assert mail[0]["to"] == "ann@example.com" and "Where is it?" in mail[0]["body"]


def test_mail_goes_to_log_without_smtp(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="checkout_tester.demostore"):
        number = buy(client)
    logged = [r.getMessage() for r in caplog.records if r.name == "checkout_tester.demostore"]
    assert any(f"Subject: Your Demo Store order {number}" in m and "janet@example.com" in m for m in logged)


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to receive a message."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 test SMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test")
            elif verb == "MAIL":
                sender = command
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command)
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.messages.append((sender, recipients, data))  # type: ignore[attr-defined]
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_server() -> Iterator[socketserver.ThreadingTCPServer]:
    """A throwaway SMTP server on a free port."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.daemon_threads = True
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_mail_over_smtp(smtp_server: socketserver.ThreadingTCPServer) -> None:
    port = smtp_server.server_address[1]
    with DemoStore(smtp_host="127.0.0.1", smtp_port=port) as store:
        number = buy(Client(store.url))
        assert store.sent_mail[0]["subject"] == f"Your Demo Store order {number}"
    (_, recipients, data), = smtp_server.messages  # type: ignore[attr-defined]
    assert "janet@example.com" in recipients[0]
    message = email.message_from_bytes(data, policy=default_policy)
    assert message["Subject"] == f"Your Demo Store order {number}"
    assert number in message.get_content() and "Blue Mug × 1" in message.get_content()


def test_smtp_outage_does_not_break_checkout() -> None:
    with socketserver.TCPServer(("127.0.0.1", 0), SMTPHandler) as unused:
        port = unused.server_address[1]
    # nothing listens on PORT any more
    with DemoStore(smtp_host="127.0.0.1", smtp_port=port) as store:
        client = Client(store.url)
        number = buy(client)
        assert text_of(client.get(f"/orders/{number}").text, "data-testid", "order-number") == number
        assert store.sent_mail == []
