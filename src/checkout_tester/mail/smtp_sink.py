"""A local SMTP sink (aiosmtpd) the tool runs itself: the store's test environment sends its mail here."""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import TracebackType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from checkout_tester.mail import spool
from checkout_tester.mail.message import Mail, addressed, parse_mail


class _FreePortController(Controller):
    """aiosmtpd's threaded controller, able to listen on port 0 (a free port chosen by the OS)."""

    def _trigger_server(self) -> None:
        if isinstance(self.server, asyncio.Server) and self.port == 0:
            self.port = self.server.sockets[0].getsockname()[1]  # the port the OS picked
        super()._trigger_server()


class SmtpSink:
    """Accepts every mail on host:port and keeps it; waiters are woken on each arrival."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, spool: Path | None = None) -> None:
        self.host, self.port = host, port
        self.spool = spool  # also written there, one file a mail, for readers in other processes (mail.spool)
        self._mails: list[Mail] = []
        self._looked_at = 0  # how many mails the last messages() call saw
        self._arrived = threading.Condition()
        self._controller: _FreePortController | None = None

    # --- aiosmtpd handler ---------------------------------------------------------------
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Store the mail and wake whoever waits for one."""
        raw = envelope.original_content or envelope.content or b""
        raw = raw if isinstance(raw, bytes) else raw.encode()
        mail = parse_mail(raw, list(envelope.rcpt_tos))
        if self.spool is not None:
            spool.write(self.spool, raw, list(envelope.rcpt_tos), mail.received)
        with self._arrived:
            self._mails.append(mail)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    # --- MailSource -------------------------------------------------------------------------
    @property
    def mails(self) -> list[Mail]:
        """Every mail received so far."""
        with self._arrived:
            return list(self._mails)

    def messages(self, to: str, since: float) -> list[Mail]:
        """Mails to `to` received at or after `since`, oldest first."""
        with self._arrived:
            self._looked_at = len(self._mails)  # wait() wakes for anything newer than this look
            mails = list(self._mails)
        return addressed(mails, to, since)

    def wait(self, timeout_s: float) -> None:
        """Block until a mail newer than the last messages() call arrives, or for at most `timeout_s`."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self._mails) > self._looked_at, timeout=max(timeout_s, 0))

    def clear(self) -> None:
        """Forget every mail received so far."""
        with self._arrived:
            self._mails.clear()

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> SmtpSink:
        """Listen; with port 0 the OS picks a free one (read it from `.port`)."""
        controller = _FreePortController(self, hostname=self.host, port=self.port, ready_timeout=10)
        controller.start()
        self._controller, self.port = controller, controller.port
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        """Start on entering a with-block."""
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop on leaving a with-block."""
        self.stop()

    def __repr__(self) -> str:
        return f"<SmtpSink {self.host}:{self.port} mails={len(self._mails)}>"


def wait_for_mail(sink: SmtpSink, count: int, timeout_s: float) -> bool:
    """True once the sink holds at least `count` mails (for tests and scripts)."""
    with sink._arrived:
        return sink._arrived.wait_for(lambda: len(sink._mails) >= count, timeout=timeout_s)

