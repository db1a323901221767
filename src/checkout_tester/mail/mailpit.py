"""Read mail from a Mailpit (or compatible) catcher over its HTTP API: /api/v1/search and /api/v1/message/{ID}."""
from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from typing import Any

from checkout_tester.base.errors import CheckoutTesterError
from checkout_tester.mail.message import Mail

_FRACTION = re.compile(r"(\.\d{6})\d+")  # Mailpit sends nanoseconds; Python parses microseconds


class MailpitError(CheckoutTesterError):
    """Mailpit did not answer as its API documents."""


def parse_time(value: str) -> float:
    """RFC 3339 (with optional nanoseconds and Z) -> epoch seconds."""
    text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00")
    return datetime.fromisoformat(text).timestamp()


def _addresses(items: Any) -> list[str]:
    if isinstance(items, dict):
        items = [items]
    return [str(a.get("Address", "")).lower() for a in items or [] if isinstance(a, dict)]


class MailpitClient:
    """A MailSource backed by Mailpit's API; polls, since Mailpit pushes only over websockets."""

    def __init__(self, url: str = "http://127.0.0.1:8025", clock_skew_s: float = 2.0,
                 poll_s: float = 0.25, timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.clock_skew_s = clock_skew_s  # Mailpit's clock may run behind ours
        self.poll_s, self.timeout_s = poll_s, timeout_s
        self._full: dict[str, dict[str, Any]] = {}  # message ID -> full message (they never change)
        self._idle = threading.Event()  # never set: waits on it are interruptible pauses, not sleeps

    def _get(self, path: str, query: dict[str, str] | None = None) -> Any:
        url = f"{self.url}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as answer:
                return json.loads(answer.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise MailpitError(f"Mailpit at {self.url} answered HTTP {exc.code} to GET {path}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise MailpitError(f"Mailpit at {self.url} did not answer ({reason}); is it running? "
                               "check mail.url in the target config") from None
        except json.JSONDecodeError:
            raise MailpitError(f"Mailpit at {self.url} answered GET {path} with something that is not JSON") from None

    def search(self, query: str, limit: int = 50) -> list[dict[str, Any]]:
        """Message summaries matching a Mailpit search query, newest first."""
        found = self._get("/api/v1/search", {"query": query, "limit": str(limit)})
        if not isinstance(found, dict) or not isinstance(found.get("messages"), list):
            raise MailpitError(f"Mailpit at {self.url}: /api/v1/search answered without a 'messages' list")
        return found["messages"]

    def message(self, message_id: str) -> dict[str, Any]:
        """One full message (Text, HTML, headers) by its database ID."""
        if message_id not in self._full:
            self._full[message_id] = self._get(f"/api/v1/message/{urllib.parse.quote(message_id)}")
        return self._full[message_id]

    def messages(self, to: str, since: float) -> list[Mail]:
        """Mails to `to` created at or after `since` (minus the allowed clock skew), oldest first."""
        address = to.strip().lower()
        found: list[Mail] = []
        for summary in self.search(f'to:"{address}"'):
            created = parse_time(str(summary.get("Created", "1970-01-01T00:00:00Z")))
            recipients = _addresses(summary.get("To")) + _addresses(summary.get("Cc")) + _addresses(summary.get("Bcc"))
            if address not in recipients or created < since - self.clock_skew_s:
                continue
            full = self.message(str(summary["ID"]))
            sender = (full.get("From") or {}).get("Address", "")
            found.append(Mail(to=tuple(dict.fromkeys(recipients)), subject=str(full.get("Subject", "")),
                              text=str(full.get("Text", "")), html=str(full.get("HTML", "")),
                              received=created, sender=sender, id=str(summary["ID"])))
        return sorted(found, key=lambda m: m.received)

    def wait(self, timeout_s: float) -> None:
        """Pause until the next poll."""
        self._idle.wait(min(self.poll_s, max(timeout_s, 0)))

    def __repr__(self) -> str:
        return f"<MailpitClient {self.url}>"
