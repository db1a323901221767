"""Web-first checks: each waits for its condition up to the timeout, never for a fixed time."""
from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from checkout_tester.flow import patterns
from checkout_tester.run.steps.ambiguity import is_ambiguous
from checkout_tester.run.steps.registry import StepContext, handler


def url_pattern(url: str) -> re.Pattern[str]:
    """`/account` matches that path on any host, with any query; `*` matches anything."""
    return patterns.url_glob(url)  # messages show it as written, not as re.compile(...)


def _text_root(ctx: StepContext, args: Any) -> Any:
    return ctx.find(args.within) if args.within else ctx.root.locator("body")


def _text_expectation(args: Any, negate: bool) -> str:
    where = f" in {args.within.locator_text()}" if args.within else " on the page"
    no = "no " if negate else ""
    if args.empty:
        return f"{args.within.locator_text()} {'not ' if negate else ''}empty"
    if args.exact:
        return f"the whole text{where} {'not ' if negate else ''}equal to {args.text!r}"
    if args.word:
        return f"{no}whole word {args.text!r}{where}"
    return f"{no}text {args.text!r}{where}"


def check_text(ctx: StepContext, args: Any, negate: bool = False) -> None:
    """expect_text / expect_no_text: contains (default), whole word, whole text equal (exact), or empty."""
    ctx.expectation = _text_expectation(args, negate)
    timeout = args.timeout_ms(ctx.runner.timeouts.ms("expect"))
    assertion = expect(_text_root(ctx, args))
    prefix = "not_to_" if negate else "to_"
    have, contain = getattr(assertion, prefix + "have_text"), getattr(assertion, prefix + "contain_text")
    try:
        if args.empty:
            have(_EMPTY, use_inner_text=True, timeout=timeout)
        elif args.exact:  # the element's whole text, whitespace normalised (Playwright's to_have_text)
            have(args.text, use_inner_text=True, timeout=timeout)
        elif args.word:
            contain(re.compile(rf"(^|\W){re.escape(args.text)}($|\W)"), use_inner_text=True, timeout=timeout)
        else:
            contain(args.text, use_inner_text=True, timeout=timeout)
    except AssertionError as exc:
        if (args.word or args.empty) and not is_ambiguous(exc):  # Playwright would quote our regex; say it in words
            raise AssertionError(f"not found: {ctx.expectation}\n" + _actual_line(str(exc))) from None
        raise


_EMPTY = re.compile(r"^\s*$")


def _actual_line(message: str) -> str:
    found = re.search(r"^Actual value: .*$", message, re.MULTILINE)
    return found.group(0) if found else ""


@handler("expect_text")
def expect_text(ctx: StepContext, step: Any, args: Any) -> None:
    check_text(ctx, args)


@handler("expect_no_text")
def expect_no_text(ctx: StepContext, step: Any, args: Any) -> None:
    check_text(ctx, args, negate=True)


@handler("expect_url")
def expect_url(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"URL {args.url or args.regex}"
    pattern = url_pattern(args.url) if args.url else patterns.regex(args.regex)
    expect(ctx.page).to_have_url(pattern, timeout=args.timeout_ms(ctx.runner.timeouts.ms("navigation")))


@handler("expect_visible")
def expect_visible(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"{args.describe()} visible"
    expect(ctx.find(args)).to_be_visible(timeout=args.timeout_ms(ctx.runner.timeouts.ms("expect")))


@handler("expect_hidden")
def expect_hidden(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"{args.describe()} hidden"
    expect(ctx.find(args)).to_be_hidden(timeout=args.timeout_ms(ctx.runner.timeouts.ms("expect")))


@handler("wait_for")
def wait_for(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"wait for {args.describe()}"
    timeout = args.timeout_ms(ctx.runner.timeouts.ms("step"))
    if args.visible is not None:
        ctx.find(args.visible).wait_for(state="visible", timeout=timeout)
    elif args.hidden is not None:
        ctx.find(args.hidden).wait_for(state="hidden", timeout=timeout)
    elif args.url is not None:
        ctx.page.wait_for_url(url_pattern(args.url), timeout=timeout)
    elif args.text is not None:
        expect(ctx.root.locator("body")).to_contain_text(args.text, use_inner_text=True, timeout=timeout)
    else:
        ctx.page.wait_for_load_state(args.load_state, timeout=timeout)


@handler("save")
def save(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"{args.describe()} to read"
    element = ctx.find(args)
    timeout = args.timeout_ms(ctx.runner.timeouts.ms("expect"))
    if args.attribute:
        value = element.get_attribute(args.attribute, timeout=timeout) or ""
    else:
        value = element.inner_text(timeout=timeout).strip()
    if args.pattern:
        match = re.search(args.pattern, value)
        if not match:
            raise AssertionError(f"pattern '{args.pattern}' not found in {value!r}")
        value = match.group(1) if match.groups() else match.group(0)
    ctx.scope.values[args.var] = value
    ctx.runner.saved[args.var] = value
    ctx.notes.append(f"{args.var} = {ctx.scope.redactor(value)}")


@handler("screenshot")
def screenshot(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.runner.screenshot(ctx.page, args.name, full_page=args.full_page)
