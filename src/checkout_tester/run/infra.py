"""Infrastructure faults, told apart from the shopper's: the browser died, or the store stopped answering."""
from __future__ import annotations

import re
import time
from typing import Any

from checkout_tester.base import failure_classes as classes

CLOSED = re.compile(r"Target page, context or browser has been closed|Browser has been closed|"
                    r"Target crashed|Browser closed|Connection closed")
HANG_S = 5.0  # a page request unanswered this long when a step gives up: the store is not answering


class PendingPages:
    """Page (document) requests sent and not yet answered, per window: a hanging redirect shows here."""

    def __init__(self) -> None:
        self._sent: dict[int, tuple[Any, float]] = {}

    def watch(self, page: Any) -> None:
        """Follow a window's page requests."""
        page.on("request", self._sent_one)
        page.on("response", lambda r: self._sent.pop(id(r.request), None))
        page.on("requestfailed", lambda r: self._sent.pop(id(r), None))
        page.on("requestfinished", lambda r: self._sent.pop(id(r), None))

    def _sent_one(self, request: Any) -> None:
        if request.resource_type == "document" and request.frame.parent_frame is None:
            self._sent[id(request)] = (request, time.monotonic())

    def hanging(self) -> str:
        """'POST http://... (no answer for 12 s)' for the oldest page request left unanswered, else ''."""
        now = time.monotonic()
        waiting = [(request, now - since) for request, since in self._sent.values() if now - since >= HANG_S]
        if not waiting:
            return ""
        request, age = max(waiting, key=lambda w: w[1])
        return f"{request.method} {request.url} (no answer for {age:.0f} s)"


def browser_alive(page: Any) -> bool:
    """Whether the page's browser is still connected (False once it crashed or was killed)."""
    try:
        browser = page.context.browser
        return browser is None or bool(browser.is_connected())
    except Exception:
        return False


def fault_of(page: Any, pending: PendingPages | None, exc: BaseException | None) -> tuple[str, str]:
    """(class, why) when a step's failure is the infrastructure's, else ('', '')."""
    text = str(exc or "")
    if not browser_alive(page) or (CLOSED.search(text) and not _page_open(page)):
        return classes.BROWSER_CRASHED, "the browser crashed or was killed while the step ran"
    code = classes.UNREACHABLE.search(text)
    if code:
        return classes.STORE_UNREACHABLE, f"the store did not answer ({code.group(0)})"
    hang = pending.hanging() if pending is not None else ""
    if hang:
        return classes.STORE_UNREACHABLE, f"the store did not answer: {hang}"
    return "", ""


def _page_open(page: Any) -> bool:
    try:
        return not page.is_closed()
    except Exception:
        return False
