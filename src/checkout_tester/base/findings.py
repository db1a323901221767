"""What the detectors record: one Finding per console error, page error, failed request, HTTP error, broken
asset, dialog or visible error message, and how a finding reads in messages, Allure steps and the JSON log."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from checkout_tester.base import failure_classes as classes

# The text patterns the error-message detector uses when a target configures none.
DEFAULT_ERROR_PATTERNS = ("something went wrong", r"unknown \w+ format", r"\binvalid\b", "enter a valid",
                          "an error occurred", "please try again later")
POPUP_CLOSE_MS = 2000  # how long an aborted request's popup may take to finish closing
UNANSWERED = re.compile(r"\((document)\): " + classes.UNREACHABLE.pattern)  # a page or form post never answered
_STACK = re.compile(r"\(?((?:https?|file)://[^\s()]+?):(\d+):(\d+)\)?")
ASSETS = ("image", "stylesheet", "font", "script")  # resource types the broken_assets detector watches

@dataclass
class Finding:
    """One thing a detector saw while a flow ran."""

    detector: str  # console_errors | failed_requests | http_errors | error_messages | error_markup | dialogs | ...
    kind: str  # console | pageerror | requestfailed | http | message | dialog | asset
    text: str  # one line: what happened
    where: str = ""  # script location (url:line) or request URL
    status: int = 0  # HTTP status, for kind http
    step: str = ""  # "3 click ..." where it happened, filled in when the step closes
    source: str = ""  # the step's file:line
    verdict: str = ""  # fail | warn | ignore | allowed | expected
    reason: str = ""  # which allow entry or expected text let it pass
    at_ms: float = 0.0  # since the flow started
    extra: dict[str, Any] = field(default_factory=dict)
    request: Any = field(default=None, repr=False, compare=False)  # an aborted request, judged later
    frame_url: str = field(default="", repr=False, compare=False)  # its frame's URL when it was aborted
    document: Any = field(default=None, repr=False, compare=False)  # an error page's request: may still be loading

    @property
    def failure_class(self) -> str:
        """The failure class this finding stands for."""
        if self.kind == "http":
            return classes.SERVER_ERROR if self.status >= 500 else classes.REQUEST_FAILED
        if self.kind == "requestfailed":
            # A page or form post the store never answered (killed mid-post, connection dropped) is the store's.
            unanswered = UNANSWERED.search(self.text)
            return classes.STORE_UNREACHABLE if unanswered else classes.REQUEST_FAILED
        if self.kind == "asset":
            return classes.REQUEST_FAILED
        if self.kind in ("console", "pageerror"):
            return classes.PAGE_ERROR
        return classes.VISIBLE_ERROR

    def line(self) -> str:
        """One line for messages and logs, tagged like the console log (`[http] 500 POST ...`)."""
        where = f" ({self.where})" if self.where and self.kind in ("console", "pageerror") else ""
        return f"[{self.kind}] {self.text}{where}"

    def judged(self) -> str:
        """The line with its verdict, as attached to Allure steps."""
        note = {"allowed": f"allowed by {self.reason!r}", "expected": f"expected ({self.reason})",
                "warn": "WARNING", "fail": "FAIL", "ignore": "ignored"}.get(self.verdict, self.verdict)
        return f"{note}: {self.line()}  [{self.detector}]"

    def as_json(self) -> dict[str, Any]:
        """The finding as a JSON object of the per-flow log."""
        # Not asdict(): it would deep-copy the live Playwright request kept for aborted requests.
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("request", "frame_url", "document")}
        data["extra"] = dict(self.extra)
        data["class"] = self.failure_class
        if not data["extra"]:
            del data["extra"]
        return data


def script_location(stack: str) -> str:
    """`url:line` of the first frame of a JavaScript stack trace that has one."""
    match = _STACK.search(stack or "")
    return f"{match.group(1)}:{match.group(2)}" if match else ""


def console_finding(msg: Any) -> Finding | None:
    """A console message of type error as a finding; other types are only logged."""
    if msg.type != "error" or msg.text.startswith("Failed to load resource:"):
        return None  # Chromium echoes every HTTP error and failed request here: those detectors judge them
    location = msg.location or {}
    where = f"{location.get('url')}:{location.get('lineNumber')}" if location.get("url") else ""
    return Finding("console_errors", "console", msg.text, where=where)


def page_error_finding(error: Any) -> Finding:
    """An uncaught exception of a page (a Playwright Error) as a finding, with its script location."""
    return Finding("console_errors", "pageerror", f"{error.name}: {error.message}",
                   where=script_location(getattr(error, "stack", "") or ""))


def http_finding(response: Any) -> Finding | None:
    """A response counts when >= 500, or >= 400 for pages, form posts and XHR/fetch."""
    request = response.request
    kind = request.resource_type
    status = response.status
    if status >= 500 or (status >= 400 and (kind in ("document", "xhr", "fetch") or request.method == "POST")):
        finding = Finding("http_errors", "http", f"{status} {request.method} {response.url} ({kind})",
                          where=response.url, status=status)
        if kind == "document":  # the error page it brings says what went wrong, once it has loaded
            finding.document = request
        return finding
    return None


def asset_finding(response: Any) -> Finding | None:
    """An image, stylesheet, font or script answering 4xx (5xx is an HTTP error), naming the page it was for."""
    request = response.request
    kind = request.resource_type
    if kind not in ASSETS or not 400 <= response.status < 500:
        return None
    page = _frame_url(request)
    return Finding("broken_assets", "asset", f"{response.status} GET {response.url} ({kind})" + (f" on {page}" if page else ""),
                   where=response.url, status=response.status, extra={"page": page, "type": kind})


def request_finding(request: Any) -> Finding:
    """A request that never got an answer (network error, aborted)."""
    failure = request.failure or "failed"
    finding = Finding("failed_requests", "requestfailed",
                      f"{request.method} {request.url} ({request.resource_type}): {failure}", where=request.url)
    if "ERR_ABORTED" in failure:  # judged later: the page may have gone away on purpose
        finding.request = request
        finding.frame_url = _frame_url(request)
    return finding


def _frame_url(request: Any) -> str:
    try:
        return str(request.frame.url)
    except Exception:  # a service worker's request has no frame
        return ""


def went_away(finding: Finding) -> str:
    """Why an aborted request is no failure: its window closed or its page navigated away ('' if neither)."""
    request = getattr(finding, "request", None)
    if request is None:
        return ""
    try:
        frame = request.frame
        if frame.is_detached() or frame.url != finding.frame_url or request.is_navigation_request():
            return "its page navigated away"
        window = frame.page
        if not window.is_closed() and window.opener() is not None:
            # A popup that closes itself (a wallet after approval) aborts its last request a moment
            # before Playwright sees it close: wait for that event, briefly, instead of guessing.
            window.wait_for_event("close", timeout=POPUP_CLOSE_MS)
        if window.is_closed():
            return "its window closed"
    except Exception:  # closed while we looked, or the wait ran out (then it stays a failure)
        return "its window closed" if _closed(request) else ""
    return ""


def _closed(request: Any) -> bool:
    try:
        return bool(request.frame.page.is_closed())
    except Exception:
        return True
