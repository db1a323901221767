"""Steps that hold other steps: sub-flows, iframes, popup windows."""
from __future__ import annotations

from typing import Any

from checkout_tester.run.steps.registry import StepContext, handler


@handler("use")
def use(ctx: StepContext, step: Any, args: Any) -> None:
    sub = step.subflow
    ctx.expectation = f"sub-flow {args.flow} to pass"
    values = {**ctx.scope.values, **{k: ctx.scope.render(v) for k, v in sub.params.items() if k not in args.with_}}
    values.update(args.with_)
    child = ctx.scope.child(values)
    for name, value in sub.vars.items():
        child.values[name] = child.render(value)
    before = set(child.values)
    ctx.runner.run_steps(ctx.within(scope=child), sub.steps)
    for name in set(child.values) - before:  # values the sub-flow saved are the caller's too
        ctx.scope.values[name] = child.values[name]


@handler("frame")
def frame(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"iframe {args.describe()}"
    content = ctx.find(args).content_frame
    ctx.runner.run_steps(ctx.within(root=content), step.children)


@handler("popup")
def popup(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = "a popup window to open"
    timeout = args.timeout_ms(ctx.runner.timeouts.ms("navigation"))
    with ctx.page.expect_popup(timeout=timeout) as info:
        ctx.runner.run_steps(ctx, (step.trigger,))
    window = info.value
    window.wait_for_load_state("domcontentloaded", timeout=timeout)
    ctx.runner.watch(window)
    ctx.runner.run_steps(ctx.within(page=window, root=window), step.children)
    if args.closes and not window.is_closed():
        ctx.expectation = "the popup window to close after its steps"
        window.wait_for_event("close", timeout=timeout)
