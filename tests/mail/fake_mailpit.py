"""A small real HTTP server speaking the two Mailpit API endpoints the client uses, with Mailpit's JSON shapes.

GET /api/v1/search?query=to:"addr"&limit=N -> {total, unread, count, messages_count, start, tags, messages: [summary]}
GET /api/v1/message/{ID}                 -> the full message (From, To, Subject, Date, Text, HTML, ...)
GET /reset?token=...                     -> a tiny page, so a flow can follow a link it read from a mail
"""
from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlparse


def rfc3339(moment: datetime | None = None) -> str:
    """Mailpit's timestamps: RFC 3339 with nanoseconds and Z."""
    moment = moment or datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


class FakeMailpit:
    """Holds messages; `on_search` may deliver mail lazily (as if it arrived while the flow waited)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.requests: list[str] = []
        self.on_search: Callable[[], None] | None = None
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.requests.append(self.path)
                url = urlparse(self.path)
                if url.path == "/api/v1/search":
                    self._json(fake.search(parse_qs(url.query)))
                elif url.path.startswith("/api/v1/message/"):
                    found = fake.full(url.path.rsplit("/", 1)[1])
                    self._json(found) if found else self._send(404, "text/plain", b"message not found")
                elif url.path == "/reset":
                    token = parse_qs(url.query).get("token", [""])[0]
                    body = f"<!doctype html><title>Reset</title><h1>Choose a new password</h1><p>Token {token}</p>"
                    self._send(200, "text/html", body.encode())
                elif url.path == "/favicon.ico":
                    self._send(204, "image/x-icon", b"")
                else:
                    self._send(404, "text/plain", b"not found")

            def _json(self, data: Any) -> None:
                self._send(200, "application/json", json.dumps(data).encode())

            def _send(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, to: str, subject: str, text: str = "", html: str = "", created: datetime | None = None) -> str:
        """Store a message as Mailpit would after receiving it over SMTP; returns its ID."""
        stamp = rfc3339(created)
        message = {
            "ID": uuid.uuid4().hex[:22], "MessageID": f"{uuid.uuid4().hex}@store.test", "Read": False,
            "From": {"Name": "Demo Store", "Address": "shop@store.test"},
            "To": [{"Name": "", "Address": to}], "Cc": [], "Bcc": [], "ReplyTo": [], "ReturnPath": "shop@store.test",
            "Subject": subject, "Date": stamp, "Created": stamp, "Tags": [], "Username": "",
            "Text": text, "HTML": html, "Size": len(text) + len(html), "Inline": [], "Attachments": [],
            "ListUnsubscribe": {"Header": "", "Links": [], "Errors": "", "HeaderPost": ""},
        }
        with self._lock:
            self.messages.append(message)
        return str(message["ID"])

    def search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        if self.on_search is not None:
            deliver, self.on_search = self.on_search, None
            deliver()
        text = query.get("query", [""])[0]
        wanted = re.findall(r'to:"?([^"\s]+)"?', text)
        limit = int(query.get("limit", ["50"])[0])
        with self._lock:
            found = [m for m in reversed(self.messages)  # newest first, as Mailpit answers
                     if all(any(w.lower() in a["Address"].lower() for a in m["To"]) for w in wanted)]
        summaries = [{k: m[k] for k in ("ID", "MessageID", "Read", "From", "To", "Cc", "Bcc", "ReplyTo", "Subject",
                                        "Created", "Tags", "Username", "Size")}
                     | {"Attachments": 0, "Snippet": (m["Text"] or "")[:250]} for m in found[:limit]]
        return {"total": len(self.messages), "unread": len(self.messages), "count": len(summaries),
                "messages_count": len(found), "start": 0, "tags": [], "messages": summaries}

    def full(self, message_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = next((m for m in self.messages if m["ID"] == message_id), None)
        return {k: v for k, v in found.items() if k not in ("Read", "Created")} if found else None

    def __enter__(self) -> FakeMailpit:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
