"""audit_accessibility: run axe-core on the current page; the target's policy (or the step) picks what fails.

A step handler that lives with the auditor it drives; `session` imports it, which registers the verb."""
from __future__ import annotations

from typing import Any

from checkout_tester.observe.accessibility import audit
from checkout_tester.run.steps.registry import StepContext, handler


@handler("audit_accessibility")
def audit_accessibility(ctx: StepContext, step: Any, args: Any) -> None:
    settings = ctx.runner.target.accessibility
    fail_on = args.fail_on if args.fail_on is not None else settings.fail_on
    where = args.name or "the page"
    ctx.expectation = f"no {'/'.join(fail_on) or 'blocking'} accessibility violations on {where}"
    ctx.page.wait_for_load_state("load", timeout=args.timeout_ms(ctx.runner.timeouts.ms("navigation")))
    audit(ctx.runner, ctx.page, fail_on, [*settings.exclude, *args.exclude], label=args.name or "")
