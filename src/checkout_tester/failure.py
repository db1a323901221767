"""Failure messages: where in the YAML, what was expected, what the page showed, how to re-run."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from checkout_tester import patterns

if TYPE_CHECKING:
    from checkout_tester.engine import Runner
    from checkout_tester.model import Step
    from checkout_tester.steps.registry import StepContext

ALERTS = "[role=alert]:visible, .error:visible, .alert:visible"
_NOISE = re.compile(r"^\s*(Call log:|- |=+ logs =+|waiting for|  -)")


def playwright_detail(exc: BaseException) -> str:
    """The useful lines of a Playwright error, without its call log; patterns as the flow wrote them."""
    lines = []
    for line in patterns.readable(str(exc)).splitlines():
        if line.strip().startswith("Call log:"):
            break
        if line.strip() and not _NOISE.match(line):
            lines.append(line.strip())
    return "\n".join(lines[:6])


def page_showed(ctx: "StepContext") -> list[str]:
    """What the shopper saw: URL, title, visible error messages (also inside the current iframe)."""
    shown: list[str] = []
    page = ctx.page
    try:
        if page.is_closed():
            return ["(the window had closed)"]
        shown.append(f"URL {page.url}  title {page.title()!r}")
        alerts: list[str] = []
        for root in {id(ctx.root): ctx.root, id(page): page}.values():
            alerts += [t.strip() for t in root.locator(ALERTS).all_inner_texts() if t.strip()]
        if alerts:
            shown.append("message " + " | ".join(dict.fromkeys(alerts)))
        else:
            heading = page.locator("h1").first
            if heading.count():
                shown.append(f"heading {heading.inner_text(timeout=1000).strip()!r}")
    except Exception as exc:  # the page may be mid-navigation; the message must still be written
        shown.append(f"(page not readable: {type(exc).__name__})")
    return shown


def describe(runner: "Runner", ctx: "StepContext", step: "Step", exc: BaseException,
             snapshot: bool = True) -> str:
    """The whole failure message, secrets removed."""
    flow = runner._flow
    name = flow.name if flow else "flow"
    lines = [f"{name}: step {step.index} `{step.title}` failed at {step.source}"]
    if ctx.expectation:
        lines.append(f"  Expected: {ctx.expectation}")
    detail = playwright_detail(exc)
    lines += [f"  Error:    {line}" if i == 0 else f"            {line}" for i, line in enumerate(detail.splitlines() or [type(exc).__name__])]
    if snapshot:
        for i, shown in enumerate(page_showed(ctx)):
            lines.append(("  Page:     " if i == 0 else "            ") + shown)
    problems = [f"[pageerror] {e}" for e in runner.page_errors] + [c for c in runner.console if c.startswith(("[error]", "[http]", "[requestfailed]"))]
    if problems:
        lines.append("  Console:  " + "\n            ".join(problems[-3:]))
    if runner.reproduce:
        lines.append(f"  Reproduce: {runner.reproduce}")
    return runner.redactor(patterns.readable("\n".join(lines)))


# The failure classes live in classes.py, the one table the engine, console and Allure share.
from checkout_tester.classes import CLASSES, classify  # noqa: E402,F401
