"""Outgoing mail: SMTP when configured, otherwise the store's log; always recorded."""
from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage

from checkout_tester.demostore.db import format_money
from checkout_tester.demostore.orders import Order

logger = logging.getLogger("checkout_tester.demostore")

FROM_ADDRESS = "Demo Store <shop@demostore.test>"


class Mailer:
    """Sends mail and keeps a record of everything it sent."""

    def __init__(self, smtp_host: str | None = None, smtp_port: int | None = None) -> None:
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port or (25 if smtp_host else None)
        self._sent: list[dict[str, str]] = []
        self._lock = threading.Lock()

    @property
    def sent(self) -> list[dict[str, str]]:
        """Copy of the mails sent so far, as {to, subject, body} dicts."""
        with self._lock:
            return [dict(m) for m in self._sent]

    def clear(self) -> None:
        """Forget the mails sent so far."""
        with self._lock:
            self._sent.clear()

    def send(self, to: str, subject: str, body: str) -> bool:
        """Send one plain-text mail; returns False (and logs) if SMTP delivery failed."""
        if self.smtp_host:
            msg = EmailMessage()
            msg["From"] = FROM_ADDRESS
            msg["To"] = to
            msg["Subject"] = subject
            msg.set_content(body)
            try:
                with smtplib.SMTP(self.smtp_host, self.smtp_port or 25, timeout=10) as smtp:
                    smtp.send_message(msg)
            except (OSError, smtplib.SMTPException):
                # a mail outage must not break checkout; the log shows what was lost
                logger.exception("Could not send mail to %s (%s) via %s:%s", to, subject, self.smtp_host, self.smtp_port)
                return False
            logger.info("Mail sent to %s via SMTP: %s", to, subject)
        else:
            logger.info("Mail to %s\nSubject: %s\n\n%s", to, subject, body)
        with self._lock:
            self._sent.append({"to": to, "subject": subject, "body": body})
        return True


def order_confirmation(order: Order) -> tuple[str, str]:
    """Subject and body of an order confirmation."""
    lines = [
        f"Hello {order.full_name},",
        "",
        "Thank you for your order!",
        "",
        f"Order number: {order.number}",
        "",
        "Items:",
    ]
    lines += [f"  {item.name} × {item.quantity}  {item.total}" for item in order.items]
    lines += [
        "",
        f"Subtotal: {format_money(order.subtotal_cents)}",
        f"{order.shipping_method}: {format_money(order.shipping_cents)}",
        f"Total: {order.total}",
        "",
        "Shipping to:",
        order.full_name,
        order.address,
        f"{order.postal_code} {order.city}",
        order.country,
        "",
        "Demo Store",
    ]
    return f"Your Demo Store order {order.number}", "\n".join(lines) + "\n"


def ticket_acknowledgement(ticket: str, name: str, message: str) -> tuple[str, str]:
    """Subject and body of a support acknowledgement."""
    quoted = "\n".join("> " + line for line in message.splitlines())
    body = (
        f"Hello {name},\n\nThanks, we received your message. Your ticket number is {ticket}.\n"
        f"We will get back to you soon.\n\nYour message:\n{quoted}\n\nDemo Store support\n"
    )
    return f"We received your message [{ticket}]", body
