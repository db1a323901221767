"""Mail shared through a folder: one SMTP sink writes each mail it receives as a file, any process reads them.

Under pytest-xdist the target's SMTP port can be bound once only, yet every worker's flows wait for their mail:
the controller runs the sink (smtp_sink.SmtpSink with a spool) and each worker reads the folder (SpoolReader)."""
from __future__ import annotations

import base64
import json
import os
import threading
import time
import uuid
from pathlib import Path

from checkout_tester.mail.message import Mail, addressed, parse_mail

POLL_S = 0.05  # how often a waiting reader looks for new files


def write(folder: Path, raw: bytes, envelope_to: list[str], received: float) -> None:
    """One mail as one file, renamed into place whole (a reader never sees half of it)."""
    name = f"{received:.6f}-{uuid.uuid4().hex}"
    part = folder / f".{name}.part"
    part.write_text(json.dumps({"received": received, "to": envelope_to,
                                "raw": base64.b64encode(raw).decode("ascii")}), encoding="utf-8")
    os.replace(part, folder / f"{name}.json")


class SpoolReader:
    """A MailSource over a spool folder; `host` and `port` are the sink's (an embedded store sends there)."""

    def __init__(self, folder: str | Path, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.folder, self.host, self.port = Path(folder), host, port
        self._read: dict[str, Mail] = {}
        self._looked_at = 0
        self._lock = threading.Lock()

    def _mails(self) -> list[Mail]:
        with self._lock:
            for path in sorted(self.folder.glob("*.json")):
                if path.name not in self._read:
                    try:
                        data = json.loads(path.read_text(encoding="utf-8"))
                    except (OSError, ValueError):
                        continue  # removed with the folder at the end of the run
                    self._read[path.name] = parse_mail(base64.b64decode(data["raw"]), data["to"], data["received"])
            return [self._read[name] for name in sorted(self._read)]

    @property
    def mails(self) -> list[Mail]:
        """Every mail the sink received so far."""
        return self._mails()

    def messages(self, to: str, since: float) -> list[Mail]:
        """Mails to `to` received at or after `since`, oldest first."""
        mails = self._mails()
        self._looked_at = len(mails)  # wait() wakes for anything newer than this look
        return addressed(mails, to, since)

    def wait(self, timeout_s: float) -> None:
        """Until a mail newer than the last messages() call is in the folder, or for at most `timeout_s`."""
        deadline = time.monotonic() + max(timeout_s, 0)
        while len(self._mails()) <= self._looked_at and time.monotonic() < deadline:
            time.sleep(min(POLL_S, max(deadline - time.monotonic(), 0)))  # sleep-ok: poll interval, bounded
