"""Shopper actions: go, click, type, choose, press."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import Error as PlaywrightError

from checkout_tester.run.navigation import check_status
from checkout_tester.run.steps.registry import StepContext, handler


@handler("goto")
def goto(ctx: StepContext, step: Any, args: Any) -> None:
    status = args.expect_status
    ctx.expectation = f"page {args.url} loads" + (f" with HTTP status {status}" if status is not None else "")
    response = ctx.runner.navigate(ctx.page, args.url, args.timeout_ms(ctx.runner.timeouts.ms("navigation")))
    if status is not None:
        check_status(ctx.runner.excuse, step, response, status)


@handler("click", action=True)
def click(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"a clickable element {args.describe()}"
    ctx.find(args).click(timeout=args.timeout_ms(ctx.runner.timeouts.ms("step")))


@handler("fill", action=True)
def fill(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"an editable field {args.describe()}"
    field = ctx.find(args)
    timeout = args.timeout_ms(ctx.runner.timeouts.ms("step"))
    secret = ctx.scope.redactor(args.value) != args.value
    if secret:
        # Drawn as dots in screenshots and video; the trace is scrubbed afterwards. Waits for the field: a
        # mark put on a document about to be replaced (a payment frame that redirects) would mask nothing.
        field.evaluate("el => el.setAttribute('data-ct-secret', '')", timeout=timeout)
    field.fill(args.value, timeout=timeout)
    if not secret and args.value.strip():
        ctx.typed.append((field, args.value))  # a password field's value is a secret: judged after the step


def judge_typed(ctx: StepContext) -> None:
    """Values typed into password fields become secrets; asks each field the detectors' scan did not judge."""
    typed, ctx.typed = ctx.typed, []
    for field, value in typed:
        if _password_field(field):
            ctx.scope.redactor.add(value)  # typed into a password field: as secret as a `secret.X`


def typed_found(ctx: StepContext, where: dict[str, str]) -> None:
    """The detectors' scan found the typed values: in a password field (a secret) or another field (not).
    Values it did not find (the page reformatted them, a shadow root, a page that moved on) stay for judge_typed."""
    left = []
    for field, value in ctx.typed:
        if where.get(value) == "password":
            ctx.scope.redactor.add(value)
        elif where.get(value) != "field":
            left.append((field, value))
    ctx.typed = left


def _password_field(field: Any) -> bool:
    """Whether the field just filled is an <input type=password> (one round trip, no element handle)."""
    try:
        return (field.get_attribute("type", timeout=2000) or "").strip().lower() == "password"
    except PlaywrightError:
        return True  # gone already (the fill moved the page on): unknown, so masked rather than written


@handler("select", action=True)
def select(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"a select {args.describe()} with option {args.option!r}"
    ctx.find(args).select_option(args.option, timeout=args.timeout_ms(ctx.runner.timeouts.ms("step")))


@handler("check", action=True)
def check(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"a checkbox or radio {args.describe()}"
    ctx.find(args).set_checked(args.checked, timeout=args.timeout_ms(ctx.runner.timeouts.ms("step")))


@handler("press", action=True)
def press(ctx: StepContext, step: Any, args: Any) -> None:
    target = args.target()
    ctx.expectation = f"key {args.key}" + (f" in {target.describe()}" if target else "")
    if target is None:
        ctx.page.keyboard.press(args.key)
    else:
        ctx.find(target).press(args.key, timeout=args.timeout_ms(ctx.runner.timeouts.ms("step")))
