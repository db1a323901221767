"""Per-variant expected failures: a row with `expect_failure` passes when the flow fails for that reason."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from checkout_tester.base import failure_classes as classes
from checkout_tester.run.events import Attachment

if TYPE_CHECKING:
    from checkout_tester.base.errors import StepFailed
    from checkout_tester.flow.model import Flow, Variant
    from checkout_tester.run.observers import RunView



def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def reason(variant: Variant) -> str:
    """The expected failure in words: `'locked out' (visible error message)`."""
    parts = [repr(variant.expect_failure)] if variant.expect_failure else []
    if variant.expect_class:
        parts.append(f"class {variant.expect_class}")
    return ", ".join(parts)


def _matches(runner: RunView, variant: Variant, exc: StepFailed) -> bool:
    if variant.expect_class and exc.failure_class != variant.expect_class:
        return False
    if not variant.expect_failure:
        return True
    wanted = _plain(variant.expect_failure)
    seen = [str(exc), *(f.extra.get("message") or f.text for f in runner.findings)]
    return any(wanted in _plain(str(text)) for text in seen)


@contextmanager
def expected(runner: RunView, flow: Flow, variant: Variant) -> Iterator[None]:
    """Run a variant's steps; a row that expects a failure passes only when it fails for that reason."""
    from checkout_tester.base.errors import StepFailed

    if not (variant.expect_failure or variant.expect_class):
        yield
        return
    try:
        yield
    except StepFailed as exc:
        if _matches(runner, variant, exc):
            note = f"{variant.id} failed as expected ({reason(variant)}):\n\n{exc}"
            runner.emit(Attachment(name="failed as expected", mime="text/plain", body=runner.redactor(note).encode()))
            runner.failed_as_expected = reason(variant)  # type: ignore[attr-defined]  # read by the pytest plugin
            return
        first, _, rest = str(exc).partition("\n")
        text = (f"{flow.name}: variant {variant.id} should fail with {reason(variant)}, but it failed otherwise\n"
                f"  Failure:  {first.removeprefix(flow.name + ': ')}\n{rest}")
        raise StepFailed(text, exc.step, exc.cause, exc.failure_class) from None
    lines = [f"{flow.name}: variant {variant.id} passed, but it should fail with {reason(variant)}",
             "  Expected: the flow to fail for that reason (expect_failure in its variant row)"]
    if runner.reproduce:
        lines.append(f"  Reproduce: {runner.reproduce}")
    raise StepFailed("\n".join(lines), flow.steps[-1], failure_class=classes.CONTENT_MISSING)
