"""Web-first checks: each waits for its condition up to the timeout, never for a fixed time."""
from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from checkout_tester import patterns
from checkout_tester.steps.registry import StepContext, handler


def url_pattern(url: str) -> re.Pattern[str]:
    """`/account` matches that path on any host, with any query; `*` matches anything."""
    return patterns.url_glob(url)  # messages show it as written, not as re.compile(...)


def _text_root(ctx: StepContext, args: Any) -> Any:
    return ctx.find(args.within) if args.within else ctx.root.locator("body")


@handler("expect_text")
def expect_text(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"text {args.text!r} on the page"
    timeout = args.timeout_ms(ctx.runner.timeouts.ms("expect"))
    pattern = patterns.whole_word(args.text) if args.exact else args.text
    expect(_text_root(ctx, args)).to_contain_text(pattern, use_inner_text=True, timeout=timeout)


@handler("expect_no_text")
def expect_no_text(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"no text {args.text!r} on the page"
    timeout = args.timeout_ms(ctx.runner.timeouts.ms("expect"))
    expect(_text_root(ctx, args)).not_to_contain_text(args.text, use_inner_text=True, timeout=timeout)


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
