"""A locator that matches several elements where one is needed: say how many, and how to pick one."""
from __future__ import annotations

import functools
import re
from typing import Any, Callable

from playwright.sync_api import Error as PlaywrightError

from checkout_tester.base import failure_classes as classes
from checkout_tester.base.errors import CheckoutTesterError

_STRICT = re.compile(r"strict mode violation: (.+?) resolved to (\d+) elements")


class AmbiguousLocator(CheckoutTesterError):
    """Several elements match a locator that must find one; classed "element not found" (ambiguous)."""

    failure_class = classes.ELEMENT_NOT_FOUND

    def __init__(self, count: int, locator: str, playwright: str) -> None:
        self.count, self.locator = count, locator
        super().__init__(f"{count} elements match {locator}; add nth:, has_text: or within: to pick one "
                         f"(ambiguous locator; Playwright: {playwright})")


def is_ambiguous(exc: BaseException) -> bool:
    """True for Playwright's strict mode violation (a locator matched several elements)."""
    return bool(_STRICT.search(str(exc)))


def ambiguity(exc: BaseException, args: Any) -> AmbiguousLocator | None:
    """The ambiguity a Playwright strict mode violation means, or None for any other error."""
    found = _STRICT.search(str(exc))
    if not isinstance(exc, (PlaywrightError, AssertionError)) or not found:
        return None
    text = getattr(args, "locator_text", None)
    within = getattr(args, "within", None)
    if callable(text):
        described = text()
    elif within is not None:
        described = within.locator_text()
    else:
        described = found.group(1)
    return AmbiguousLocator(int(found.group(2)), described, found.group(1))


def unambiguous(fn: Callable[..., None]) -> Callable[..., None]:
    """Wrap a step handler so that a strict mode violation becomes an AmbiguousLocator."""

    @functools.wraps(fn)
    def run(ctx: Any, step: Any, args: Any) -> None:
        try:
            fn(ctx, step, args)
        except (PlaywrightError, AssertionError) as exc:
            if type(exc).__name__ == "StepFailed":
                raise  # a nested step's failure already says what went wrong
            ambiguous = ambiguity(exc, args)
            if ambiguous is None:
                raise
            raise ambiguous from None

    return run
