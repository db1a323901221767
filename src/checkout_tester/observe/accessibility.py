"""Accessibility audits with axe-core (axe-playwright-python): violations by impact, a policy decides what fails."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Sequence
from urllib.parse import urldefrag

from playwright.sync_api import Error as PlaywrightError, Page

from checkout_tester.base.failure_classes import ACCESSIBILITY
from checkout_tester.flow.step_arguments import IMPACTS
from checkout_tester.run.events import Attachment
from checkout_tester.run.observers import Observer, RunView

if TYPE_CHECKING:
    from checkout_tester.flow.model import Step
    from checkout_tester.run.context import StepContext

_AXE: Any = None  # loaded on first audit: the bundled axe.min.js is half a megabyte


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page, with the elements that break it."""

    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]

    def line(self) -> str:
        """`label (critical) at #postal_code, #city: Form elements must have labels`."""
        more = f" (+{len(self.targets) - 3} more)" if len(self.targets) > 3 else ""
        return f"{self.rule} ({self.impact}) at {', '.join(self.targets[:3])}{more}: {self.help}"


class AccessibilityViolation(AssertionError):
    """The page breaks accessibility rules the policy fails on."""

    failure_class = ACCESSIBILITY


def run_axe(page: Page, exclude: Sequence[str] = ()) -> dict[str, Any]:
    """axe-core's raw results (violations only) for the page's current document."""
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    results = _AXE.run(page, context=context)
    return dict(results.response)


def _selector(target: Any) -> str:
    """axe's target: one selector per frame level, a nested list inside shadow DOM."""
    if not isinstance(target, list):
        return str(target)
    return " ".join(_selector(part) for part in target)


def violations(results: dict[str, Any]) -> list[Violation]:
    """Violations ordered from the worst impact down."""
    found = []
    for item in results.get("violations", []):
        targets = tuple(_selector(n.get("target", [])) for n in item.get("nodes", []))
        found.append(Violation(rule=item["id"], impact=item.get("impact") or "minor", help=item.get("help", ""),
                               help_url=item.get("helpUrl", ""), targets=targets))
    return sorted(found, key=lambda v: IMPACTS.index(v.impact) if v.impact in IMPACTS else len(IMPACTS))


def summary(url: str, found: Iterable[Violation]) -> str:
    """A readable report: counts by impact, then each violation with its elements and help link."""
    found = list(found)
    if not found:
        return f"{url}: no accessibility violations"
    counts = ", ".join(f"{sum(v.impact == i for v in found)} {i}" for i in IMPACTS if any(v.impact == i for v in found))
    lines = [f"{url}: {len(found)} accessibility violation{'s' if len(found) != 1 else ''} ({counts})"]
    for v in found:
        lines.append(f"- [{v.impact}] {v.rule}: {v.help}\n    {v.help_url}")
        lines += [f"    {target}" for target in v.targets]
    return "\n".join(lines)


def failure_message(url: str, failing: Sequence[Violation], fail_on: Sequence[str]) -> str:
    """'accessibility violation: label (critical) at #postal_code on <url>: ...' and the others."""
    first, rest = failing[0], failing[1:]
    text = f"accessibility violation: {first.rule} ({first.impact}) at {', '.join(first.targets[:3])} on {url}: {first.help}"
    for other in rest[:4]:
        text += f"\n  also: {other.line()}"
    if len(rest) > 4:
        text += f"\n  and {len(rest) - 4} more"
    return text + f"\n(fails on impacts: {', '.join(fail_on)})"


def audit(runner: RunView, page: Page, fail_on: Sequence[str], exclude: Sequence[str] = (),
          label: str = "") -> list[Violation]:
    """Audit the page, attach the JSON and the summary; raise AccessibilityViolation per the policy."""
    url = page.url
    results = run_axe(page, exclude)
    found = violations(results)
    name = f"accessibility audit {label or urldefrag(url)[0]}"
    report = {"url": url, "fail_on": list(fail_on), "violations": results.get("violations", []),
              "testEngine": results.get("testEngine"), "timestamp": results.get("timestamp")}
    runner.emit(Attachment(name=f"{name} (axe JSON)", mime="application/json",
                           body=json.dumps(report, indent=2).encode()))
    runner.emit(Attachment(name=name, mime="text/plain", body=summary(url, found).encode()))
    failing = [v for v in found if v.impact in fail_on]
    if failing:
        raise AccessibilityViolation(failure_message(url, failing, fail_on))
    return found


class PageAuditor(Observer):
    """After each passed step: audit the page once per new document (the `every_page` target setting)."""

    def __init__(self, runner: RunView) -> None:
        self.runner = runner
        self.settings = runner.target.accessibility
        self.seen: set[tuple[int, str]] = set()  # (page, URL without fragment) already audited

    def after_step(self, ctx: "StepContext", step: "Step") -> None:
        """Audit the page the step left, unless this document was audited already."""
        page = ctx.page
        if page.is_closed():
            return
        try:
            page.wait_for_load_state("load", timeout=self.runner.timeouts.ms("navigation"))
        except PlaywrightError:
            return  # closed or still navigating: the next step's audit catches the page
        key = (id(page), urldefrag(page.url)[0])
        if key in self.seen or not key[1].startswith(("http://", "https://")):
            return
        self.seen.add(key)
        ctx.expectation = f"no {'/'.join(self.settings.fail_on)} accessibility violations on {key[1]} " \
                          "(target setting accessibility.audit: every_page)"
        try:
            audit(self.runner, page, self.settings.fail_on, self.settings.exclude)
        except PlaywrightError as exc:
            if page.is_closed() or "context was destroyed" in str(exc) or "navigat" in str(exc):
                self.seen.discard(key)  # the page moved on mid-audit; its next document is audited later
                return
            raise self._failed(ctx, step, exc) from None
        except AssertionError as exc:
            raise self._failed(ctx, step, exc) from None

    def _failed(self, ctx: "StepContext", step: "Step", exc: BaseException) -> BaseException:
        from checkout_tester.base.errors import StepFailed
        from checkout_tester.run import failure_text as failure

        return StepFailed(failure.describe(self.runner, ctx, step, exc), step, exc)


def auditor(runner: RunView) -> Observer:
    """The every-page audit when the target asks for it (accessibility.audit: every_page), else nothing."""
    return PageAuditor(runner) if runner.target.accessibility.audit == "every_page" else Observer()
