"""Failure classes: the one table the console summary, the engine and Allure's categories.json share.

Every failure falls in exactly one class. The engine and the detectors set the class on the exception
(`failure_class`), and the failure message carries it as a `Class:` line; the text patterns below are
only the fallback for messages that lack that line (and for Allure, which sees nothing but text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Class names, usable as constants by the engine, detectors and other step verbs.
VALID_INPUT_REJECTED = "valid input rejected"
VISIBLE_ERROR = "visible error message"
PAGE_ERROR = "page or console error"
SERVER_ERROR = "server error"
REQUEST_FAILED = "request failed"
EMAIL_MISSING = "email missing"
ACCESSIBILITY = "accessibility violation"
CONTENT_MISSING = "expected content missing"
ELEMENT_NOT_FOUND = "element not found"
BUDGET_EXCEEDED = "timing budget exceeded"
STORE_UNREACHABLE = "store unreachable"
BROWSER_CRASHED = "browser crashed"
INTERRUPTED = "interrupted"
CLASS_LINE = "  Class:    "  # how failure messages state their class


@dataclass(frozen=True)
class FailureClass:
    """One failure class: its name, the Allure status it counts as, and its fallback text pattern."""

    name: str
    fallback: str  # regex searched in messages that carry no `Class:` line
    status: str = "failed"  # Allure status: store unreachable is "broken", not "failed"
    description: str = ""

    @property
    def category(self) -> str:
        """Allure's category name: the class, capitalised."""
        return self.name[0].upper() + self.name[1:]


# Chromium's network errors that mean the store did not answer (not a page that answered badly): the one list
# the engine, the infrastructure checks, the findings and the fallback below share.
UNREACHABLE = re.compile(r"net::ERR_(CONNECTION_REFUSED|NAME_NOT_RESOLVED|CONNECTION_RESET|ADDRESS_UNREACHABLE|"
                         r"CONNECTION_TIMED_OUT|TIMED_OUT|INTERNET_DISCONNECTED|CONNECTION_CLOSED|EMPTY_RESPONSE|"
                         r"CONNECTION_ABORTED|CONNECTION_FAILED|SOCKET_NOT_CONNECTED)")

# Ordered: for messages without a `Class:` line, the first matching fallback wins.
CLASSES: tuple[FailureClass, ...] = (
    FailureClass(INTERRUPTED, r"^interrupted by SIG", "broken", "the run was stopped (Ctrl-C, SIGTERM) mid-flow"),
    FailureClass(BROWSER_CRASHED, r"browser crashed|Target crashed|Browser has been closed", "broken",
                 "the browser died while the flow ran: not the store's fault"),
    FailureClass(STORE_UNREACHABLE, "store unreachable|" + UNREACHABLE.pattern, "broken",
                 "the store did not answer (down, or stopped answering mid-step)"),
    FailureClass(VALID_INPUT_REJECTED, r"valid input rejected",
                 description="an input equivalent to one the store accepts was refused"),
    FailureClass(BUDGET_EXCEEDED, r"timing budget exceeded|over (its|the) budget",
                 description="a step or page took longer than its budget"),
    FailureClass(EMAIL_MISSING, r"email missing|no (e-?mail|message) (arrived|was sent)",
                 description="an email the shopper should receive never came"),
    FailureClass(ACCESSIBILITY, r"accessibility violation",
                 description="an accessibility audit found violations"),
    FailureClass(SERVER_ERROR, r"\[http\] 5\d\d|HTTP 5\d\d", description="the server answered 5xx"),
    FailureClass(REQUEST_FAILED, r"\[requestfailed\]|request failed|HTTP 4\d\d",
                 description="a request failed on the network or answered 4xx"),
    FailureClass(PAGE_ERROR, r"\[pageerror\]|\[console\.error\]",
                 description="an uncaught script error or console error"),
    FailureClass(VISIBLE_ERROR, r"Page:.*\n\s+message |visible error message",
                 description="the page showed an error message"),
    FailureClass(ELEMENT_NOT_FOUND,
                 r"Expected: (a |an |iframe|the popup|a popup).*\n\s+Error:\s+.*(Timeout|not found)"
                 r"|strict mode violation|resolved to \d+ elements|matched \d+ elements",
                 description="an element the flow needs is missing: the flow or the page changed"),
    FailureClass(CONTENT_MISSING, r".", description="a text, URL or element the flow expects is not there"),
)
BY_NAME: dict[str, FailureClass] = {c.name: c for c in CLASSES}
_STATED = re.compile(r"^[ \t]*Class:[ \t]+(.+?)[ \t]*(\n|$)", re.MULTILINE)


def class_line(name: str) -> str:
    """The `Class:` line a failure message carries."""
    return CLASS_LINE + name


def classify(message: str, stated: str | None = None) -> str:
    """The class of a failure: the structured one if known, else the `Class:` line, else the patterns."""
    if stated in BY_NAME:
        return stated  # type: ignore[return-value]
    found = _STATED.search(message or "")
    if found and found.group(1) in BY_NAME:
        return found.group(1)
    return next(c.name for c in CLASSES if re.search(c.fallback, message or "x", re.IGNORECASE))


LOCATING = {"click", "fill", "select", "check", "press", "save", "frame", "popup"}  # a timeout: element gone
AMBIGUOUS = re.compile(r"strict mode violation|resolved to \d+ elements")  # Playwright's words for it
CHECKS = {"expect_text", "expect_no_text", "expect_url", "expect_visible", "expect_hidden", "wait_for",
          "expect_count", "expect_attribute", "expect_value"}


def for_failure(kind: str, cause: BaseException | None, message: str, given: str = "") -> str:
    """The class of a step failure: given, else carried by the cause, else from the verb, else from the text."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    found = given or (class_of(cause) if cause is not None else "")
    if found:
        return found
    stated = _STATED.search(message or "")
    if stated and stated.group(1) in BY_NAME:
        return stated.group(1)
    if isinstance(cause, PlaywrightTimeout) and kind in LOCATING:
        return ELEMENT_NOT_FOUND
    if AMBIGUOUS.search(f"{cause or ''}\n{message}"):
        return ELEMENT_NOT_FOUND  # one element needed, several matched: the locator must be narrowed
    if kind in CHECKS and isinstance(cause, (AssertionError, PlaywrightTimeout)):
        return CONTENT_MISSING
    return classify(message)


def with_class_line(message: str, name: str) -> str:
    """The message with its `Class:` line (after the first line), replacing any other."""
    first, _, rest = _STATED.sub("", message).partition("\n")
    rest = rest.lstrip("\n")
    return f"{first}\n{class_line(name)}" + (f"\n{rest}" if rest else "")


def class_of(exc: BaseException) -> str:
    """The class an exception carries (StepFailed and friends set `failure_class`), or ''."""
    return str(getattr(exc, "failure_class", "") or "")


def categories() -> list[dict[str, Any]]:
    """Allure's categories.json, one per class, matching the status message Allure shows.

    The message is `<class>: <first line>` (report/allure_results.py): one category per class, and inside
    it one group per flow and step (Allure groups a category's tests by message). A message of another
    shape is matched by its `Class:` line, else, when it has none, by the class's text fallback."""
    result: list[dict[str, Any]] = []
    ours = "(" + "|".join(c.name for c in CLASSES) + "): "  # names are words and spaces
    others = "|".join(c.fallback for c in CLASSES if c.fallback != ".")
    for c in CLASSES:
        stated = r"Class:\s+" + c.name + r"\s*(\n.*)?"
        # Only messages with no `Class:` line at all fall back to text patterns, so no result lands twice.
        fallback = f".*({c.fallback}).*" if c.fallback != "." else f"(?!.*({others})).*"
        regex = f"(?s)({c.name}: .*|(?!{ours})(.*{stated}|(?!.*\\n\\s*Class:\\s){fallback}))"
        result.append({"name": c.category, "description": c.description,
                       "matchedStatuses": [c.status], "messageRegex": regex})
    result.append({"name": "Broken tests", "matchedStatuses": ["broken"]})
    return result
