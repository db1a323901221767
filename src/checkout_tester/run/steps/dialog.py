"""dialog: run the step that opens a browser dialog, and accept or dismiss it (answering a prompt)."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import Error as PlaywrightError

from checkout_tester.run.dialogs import DialogMissing, Expected, shown
from checkout_tester.run.steps.registry import StepContext, handler


@handler("dialog")
def dialog(ctx: StepContext, step: Any, args: Any) -> None:
    expected = Expected(accept=args.accept, text=args.text, answer=args.answer, type=args.type)
    verb = "accept" if args.accept else "dismiss"
    ctx.expectation = f"{expected.wanted()} to open, to {verb} it"
    timeout = args.timeout_ms(ctx.runner.timeouts.ms("expect"))
    with ctx.runner.dialogs.expect(expected):
        ctx.runner.run_steps(ctx, (step.trigger,))
        if expected.seen is None and not expected.others:
            try:  # it may open a moment later (after a fetch): wait for the next dialog, not for a time
                ctx.page.context.wait_for_event("dialog", timeout=timeout)
            except PlaywrightError:
                pass
    if expected.seen is None:
        came = ", ".join(shown(info) for info in expected.others)
        raise DialogMissing(f"the page showed {came} instead" if came
                            else f"no dialog opened within {timeout / 1000:g}s of `{step.trigger.title}`")
    said = f"; answered {args.answer!r}" if args.answer is not None else ""
    ctx.notes.append(f"dialog = {shown(expected.seen)} {verb}ed{said}")
