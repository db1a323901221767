"""Mails the store sent during one flow run, read from a sink (SMTP sink or Mailpit), matched and waited for."""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, Protocol

from checkout_tester.base.failure_classes import EMAIL_MISSING
from checkout_tester.mail.message import Mail as Mail, parse_mail as parse_mail  # re-exported: the mail API
from checkout_tester.run.events import FlowStarted
from checkout_tester.run.observers import Observer, ObserverFactory, RunView

if TYPE_CHECKING:
    from checkout_tester.flow.model import Flow
    from checkout_tester.target.config import Target


class MailSource(Protocol):
    """Where mails are read from: a local SMTP sink or a Mailpit-compatible HTTP API."""

    def messages(self, to: str, since: float) -> list[Mail]:
        """Mails to `to` that arrived at or after `since` (epoch seconds), oldest first."""
        ...

    def wait(self, timeout_s: float) -> None:
        """Block until new mail may have arrived, or for at most `timeout_s`."""
        ...


class EmailMissing(AssertionError):
    """The expected mail did not arrive in time."""

    failure_class = EMAIL_MISSING


class Mailbox:
    """One flow run's view of a mail source: only mails that arrived after the flow started count."""

    def __init__(self, source: MailSource, since: float | None = None) -> None:
        self.source = source
        self.since = since if since is not None else time.time()

    def __call__(self, event: Any) -> None:
        """Listener: a flow starting resets the time mails must arrive after."""
        if isinstance(event, FlowStarted):
            self.since = time.time()

    def expect(self, to: str, subject: str | None = None, body: str | None = None,
               timeout_s: float = 10.0) -> Mail:
        """The first mail to `to` whose subject and body contain the given texts; raises EmailMissing."""
        deadline = time.monotonic() + timeout_s
        while True:
            arrived = self.source.messages(to, self.since)
            for mail in arrived:
                if matches(mail, to, subject, body):
                    return mail
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EmailMissing(missing_message(to, subject, body, timeout_s, arrived))
            self.source.wait(remaining)


def matches(mail: Mail, to: str, subject: str | None, body: str | None) -> bool:
    """Recipient (case-insensitive), subject and body (substrings) all match."""
    return (to.strip().lower() in mail.to and (subject is None or subject in mail.subject)
            and (body is None or body in mail.body or body in mail.html))


def missing_message(to: str, subject: str | None, body: str | None, timeout_s: float, arrived: list[Mail]) -> str:
    """'email missing: no email to X with subject ... arrived within 10s' plus what did arrive."""
    wanted = f"no email to {to}"
    if subject is not None:
        wanted += f" with subject {subject!r}"
    if body is not None:
        wanted += f" {'and' if subject is not None else 'with'} body containing {body!r}"
    text = f"email missing: {wanted} arrived within {timeout_s:g}s"
    if arrived:
        subjects = "; ".join(repr(m.subject) for m in arrived[-3:])
        text += f"\nmails to {to} since the flow started: {len(arrived)} ({subjects})"
    else:
        text += f"\nno mail at all reached {to} since the flow started"
    return text


def extract(mail: Mail, pattern: str) -> str | None:
    """Group 1 (or the whole match) of `pattern` in the body, then in the HTML (for links in href)."""
    for text in (mail.body, mail.html, mail.subject):
        found = re.search(pattern, text)
        if found:
            return found.group(1) if found.groups() else found.group(0)
    return None


@contextmanager
def open_mail_source(target: "Target") -> Iterator[MailSource | None]:
    """The target's mail sink for the session: the demo store gets an SMTP sink unless told otherwise."""
    settings = target.mail
    if settings is None and target.is_demo:
        from checkout_tester.target.config import MailSettings

        settings = MailSettings()
    if settings is None:
        yield None
    elif settings.sink == "mailpit":
        from checkout_tester.mail.mailpit import MailpitClient

        yield MailpitClient(settings.url or "http://127.0.0.1:8025", clock_skew_s=settings.clock_skew_ms() / 1000)
    else:
        from checkout_tester.mail.smtp_sink import SmtpSink

        with SmtpSink(settings.host, settings.port) as sink:
            yield sink


def smtp_address(source: MailSource | None) -> dict[str, Any]:
    """DemoStore keyword arguments that send its mail to this sink (none for Mailpit or no sink)."""
    port = getattr(source, "port", None)
    if source is None or port is None:
        return {}
    return {"smtp_host": getattr(source, "host", "127.0.0.1"), "smtp_port": port}


class MailWatch(Observer):
    """Gives a run its mailbox (read by the expect_email step); a flow starting resets its clock."""

    def __init__(self, runner: RunView, source: MailSource) -> None:
        self.mailbox = Mailbox(source)
        runner.mail = self.mailbox

    def flow_started(self, flow: Flow) -> None:
        """expect_email sees only mail that arrived after the flow started."""
        self.mailbox.since = time.time()


def watcher(source: MailSource | None) -> ObserverFactory:
    """The observer factory for a run's mail: a MailWatch on `source`, or nothing without a sink."""
    return (lambda runner: MailWatch(runner, source)) if source is not None else (lambda runner: Observer())
