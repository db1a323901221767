"""Failure messages: where in the YAML, what was expected, what the page showed, how to re-run."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from checkout_tester.flow import patterns
from checkout_tester.run.candidate_page import candidate_lines

if TYPE_CHECKING:
    from checkout_tester.flow.model import Step
    from checkout_tester.run.context import StepContext
    from checkout_tester.run.observers import RunView

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


def describe(runner: "RunView", ctx: "StepContext", step: "Step", exc: BaseException,
             snapshot: bool = True) -> str:
    """The whole failure message, secrets removed."""
    flow = runner.flow
    name = flow.name if flow else "flow"
    place = runner.place() if hasattr(runner, "place") else ""
    lines = [f"{name}: step {place or step.index} `{step.title}` failed at {step.source}"]
    if ctx.expectation:
        lines.append(f"  Expected: {ctx.expectation}")
    detail = playwright_detail(exc)
    if snapshot and step.kind == "expect_text":
        detail = _without_page_dump(detail)
    lines += [f"  Error:    {line}" if i == 0 else f"            {line}" for i, line in enumerate(detail.splitlines() or [type(exc).__name__])]
    if snapshot:
        for i, shown in enumerate(page_showed(ctx)):
            lines.append(("  Page:     " if i == 0 else "            ") + shown)
        if step.kind == "expect_text":
            lines += nearest_lines(ctx, step)
        lines += candidate_lines(ctx, step, exc)  # element not found or several: what the page has like it
    problems = console_problems(runner)
    if problems:
        lines.append("  Console:  " + "\n            ".join(problems))
    if runner.reproduce:
        lines.append(f"  Reproduce: {runner.reproduce}")
    return runner.redactor(patterns.readable("\n".join(lines)))


def console_problems(runner: "RunView", limit: int = 4) -> list[str]:
    """What the console and network said that matters: page errors first, then errors no allow-list lets pass."""
    settings = runner.detector_settings
    findings = [f for f in runner.findings if f.kind != "message" and not _noise(settings, f)]
    findings.sort(key=lambda f: f.kind != "pageerror")  # stable: in order of arrival within each group
    shown = list(dict.fromkeys(f"[error] {f.text}" + (f" ({f.where})" if f.where else "") if f.kind == "console"
                               else f.line() for f in findings))
    if len(shown) > limit:
        return shown[:limit] + [f"(+{len(shown) - limit} more in the browser console attachment)"]
    return shown


def _noise(settings: Any, finding: Any) -> bool:
    if finding.verdict in ("allowed", "ignore", "expected"):
        return True
    if finding.verdict:
        return False
    if settings is None:
        return False
    policy = settings.of(finding.detector)  # not judged yet (the failing step's own findings)
    return policy.policy == "ignore" or bool(policy.allows(f"{finding.text} {finding.where}"))


def _without_page_dump(detail: str) -> str:
    """Playwright quotes the whole page as the actual value: say so in one line; the Nearest: lines say the rest."""
    kept: list[str] = []
    dumped = 0
    for line in detail.splitlines():
        if kept and kept[-1].startswith("Actual value:") or dumped:
            if line.startswith("Error:"):
                kept.append(line)
                continue
            dumped += 1
            continue
        kept.append(line if len(line) <= 160 else line[:157] + "...")
    if dumped:
        kept = [f"{line} ... ({dumped + 1} lines of page text, the nearest below)" if line.startswith("Actual value:")
                else line for line in kept]
    return "\n".join(kept)


def nearest_lines(ctx: "StepContext", step: "Step") -> list[str]:
    """For a text not found: the page's text nearest to it, and the page's alerts, instead of its first lines."""
    from checkout_tester.run.excerpt import nearest

    wanted = ctx.scope.render(getattr(step.args, "text", "") or "") if hasattr(ctx, "scope") else ""
    try:
        text = ctx.root.locator("body").inner_text(timeout=1000)
    except Exception:
        return []
    found = nearest(text, str(wanted))
    return [f"  Nearest:  {line}" if i == 0 else f"            {line}" for i, line in enumerate(found)]


# The failure classes live in base/failure_classes.py, the one table the engine, console and Allure share.
from checkout_tester.base.failure_classes import CLASSES, classify  # noqa: E402,F401
