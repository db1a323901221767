"""One mail as the store sent it: parsed from raw bytes into addresses, subject, text and links."""
from __future__ import annotations

import html as html_lib
import re
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import getaddresses

_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Mail:
    """One received mail: recipients (lower-cased), subject, text and HTML bodies, arrival time (epoch s)."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str = ""
    received: float = field(default_factory=time.time)
    sender: str = ""
    id: str = ""

    @property
    def body(self) -> str:
        """The readable body: the text part, else the HTML with its tags removed."""
        if self.text.strip():
            return self.text
        return html_lib.unescape(_TAGS.sub(" ", self.html))

    def render(self) -> str:
        """The mail as plain text, for a report attachment."""
        return f"From: {self.sender}\nTo: {', '.join(self.to)}\nSubject: {self.subject}\n\n{self.body}"


def parse_mail(raw: bytes, envelope_to: list[str] | tuple[str, ...] = (), received: float | None = None) -> Mail:
    """A Mail from raw RFC 5322 bytes; recipients are the envelope's plus the To/Cc headers'."""
    msg = BytesParser(policy=default_policy).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    headers = [str(v) for key in ("To", "Cc") for v in msg.get_all(key, [])]
    addresses = [a.lower() for a in envelope_to] + [addr.lower() for _, addr in getaddresses(headers) if addr]
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    return Mail(to=tuple(dict.fromkeys(addresses)), subject=str(msg.get("Subject", "")),
                text=_lines(text_part.get_content()) if text_part is not None else "",
                html=_lines(html_part.get_content()) if html_part is not None else "",
                received=received if received is not None else time.time(),
                sender=str(msg.get("From", "")), id=str(msg.get("Message-ID", "")))


def addressed(mails: list[Mail], to: str, since: float) -> list[Mail]:
    """The mails to `to` received at or after `since`, in the order given."""
    wanted = to.strip().lower()
    return [m for m in mails if wanted in m.to and m.received >= since]


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n")  # SMTP's CRLF line ends, as the store wrote them
