"""What the flow itself expects: an error message it waits for (expect_text) is no surprise to the detectors."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checkout_tester.base.findings import Finding
    from checkout_tester.flow.model import Step


def expected_texts(steps: Iterable[Step]) -> list[str]:
    """Texts the flow itself waits for: an error message it expects is no surprise."""
    texts: list[str] = []
    for step in steps:
        if step.kind in ("expect_text", "wait_for"):
            text = getattr(step.args, "text", None)
            if isinstance(text, str) and text and "{{" not in text:
                texts.append(text)
        texts += expected_texts(step.children)
        if step.trigger is not None:
            texts += expected_texts((step.trigger,))
        if step.subflow is not None:
            texts += expected_texts(step.subflow.steps)
    return texts


def expected_by(finding: Finding, expected: list[str]) -> str | None:
    """The (lower-case) text of the flow's that makes an error message no surprise, if any."""
    pattern = finding.extra.get("pattern", "")
    if pattern:  # a pattern match: expected if what the flow waits for is the error part itself
        return next((t for t in expected if t in finding.text.lower() and re.search(pattern, t, re.IGNORECASE)), None)
    # Error markup: the whole message is the error, so the flow must wait for it, or for most of it.
    message = str(finding.extra.get("message", "")).lower()
    return next((t for t in expected if message and (message in t or (t in message and 2 * len(t) >= len(message)))),
                None)


def expected_forms(findings: list[Finding]) -> None:
    """A field marked as wrong beside an error message the flow expects is part of what it expects."""
    reason = next((f.reason for f in findings if f.detector == "error_markup" and f.verdict == "expected"), "")
    for finding in findings:
        if reason and finding.detector == "error_markup" and not finding.extra.get("message") \
                and finding.verdict in ("fail", "warn"):
            finding.verdict, finding.reason = "expected", reason
