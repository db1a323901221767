"""Web-first checks of counts, attributes and input values (Playwright's to_have_count / _attribute / _value)."""
from __future__ import annotations

import re
from typing import Any, Callable

from playwright.sync_api import Locator as PWLocator, expect

from checkout_tester.run.steps.ambiguity import is_ambiguous
from checkout_tester.run.steps.registry import StepContext, handler


def _expected(args: Any) -> str | re.Pattern[str]:
    return args.value if args.value is not None else re.compile(args.matches)


def _count(found: PWLocator) -> str:
    try:
        return str(found.count())
    except Exception:  # the page may be going away; the message must still be written
        return "an unknown number of"


@handler("expect_count")
def expect_count(ctx: StepContext, step: Any, args: Any) -> None:
    bounds, where = args.bounds_text(), args.locator_text()
    ctx.expectation = f"{bounds} elements matching {where}"
    timeout = args.timeout_ms(ctx.runner.timeouts.ms("expect"))
    found = ctx.find(args)
    try:
        if args.count is not None:
            expect(found).to_have_count(args.count, timeout=timeout)
        if args.at_least:  # the at_least-th match exists (waits until it does)
            expect(found.nth(args.at_least - 1)).to_be_attached(timeout=timeout)
        if args.at_most is not None:  # no match after the at_most-th (waits until there is none)
            expect(found.nth(args.at_most)).not_to_be_attached(timeout=timeout)
    except AssertionError:
        raise AssertionError(f"{_count(found)} elements match {where}, expected {bounds}") from None


@handler("expect_attribute")
def expect_attribute(ctx: StepContext, step: Any, args: Any) -> None:
    _check_has(ctx, args, f"{args.attribute} of", lambda found, timeout: expect(found).to_have_attribute(
        args.attribute, _expected(args), timeout=timeout))


@handler("expect_value")
def expect_value(ctx: StepContext, step: Any, args: Any) -> None:
    _check_has(ctx, args, "the value of",
               lambda found, timeout: expect(found).to_have_value(_expected(args), timeout=timeout))


def _check_has(ctx: StepContext, args: Any, what: str, assertion: Callable[[Any, float], None]) -> None:
    """expect_attribute / expect_value: a web-first check of one element, failing in plain words."""
    noun = what.removesuffix(" of").removeprefix("the ")
    ctx.expectation = f"{args.locator_text()} with {noun} {args.expected_text()}"
    try:
        assertion(ctx.find(args), args.timeout_ms(ctx.runner.timeouts.ms("expect")))
    except AssertionError as exc:
        if is_ambiguous(exc):
            raise  # the handler's wrapper says how many matched
        raise AssertionError(f"{what} {args.locator_text()} is {_actual(exc)}, "
                             f"expected {args.expected_text()}") from None


def _actual(exc: BaseException) -> str:
    """What Playwright read, from its message: `'x'`, `missing` (no attribute) or `not found` (no element)."""
    text = str(exc)
    if re.search(r"element\(s\) not found|waiting for .*\n.*not found", text) or "Actual value: <element" in text:
        return "not found (no element matches)"
    found = re.search(r"^Actual value: (.*)$", text, re.MULTILINE)
    if not found or found.group(1).strip() in ("", "None", "null"):
        return "missing"
    return repr(found.group(1).strip())
