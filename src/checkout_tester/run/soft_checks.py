"""Soft checks: a step (or a block: use, frame, popup) marked `soft: true` records its failure and the
flow goes on; at the end the flow fails listing every soft failure, with the class of the first."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from checkout_tester.run.events import Attachment

if TYPE_CHECKING:
    from checkout_tester.base.errors import StepFailed
    from checkout_tester.flow.model import Flow, Step
    from checkout_tester.run.observers import RunView

_SKIPPED = re.compile(r"^\s*(Class|Reproduce):")


def failures(runner: RunView) -> list[StepFailed]:
    """The soft failures recorded in this flow run so far."""
    found: list[StepFailed] = runner.__dict__.setdefault("soft_failures", [])
    return found


@contextmanager
def checked(runner: RunView, step: Step) -> Iterator[None]:
    """Run one step; if it is soft, a failure is recorded instead of ending the flow."""
    from checkout_tester.base.errors import StepFailed

    try:
        yield
    except StepFailed as exc:
        if not getattr(step.args, "soft", False):
            raise
        failures(runner).append(exc)
        note = f"soft check failed at {exc.step.source}; the flow goes on\n\n{exc}"
        runner.emit(Attachment(name=f"soft failure {len(failures(runner))}", mime="text/plain",
                               body=runner.redactor(note).encode()))


@contextmanager
def collected(runner: RunView, flow: Flow) -> Iterator[None]:
    """Around a flow's steps: fail at the end when soft checks failed, listing each of them."""
    from checkout_tester.base.errors import StepFailed

    failures(runner).clear()
    try:
        yield
    except StepFailed as exc:
        soft = failures(runner)
        if not soft:
            raise
        text = f"{exc}\n  Soft failures before it:\n" + "\n".join(_items(soft))
        raise StepFailed(text, exc.step, exc.cause, exc.failure_class) from None
    soft = failures(runner)
    if soft:
        first = soft[0]
        lines = [f"{flow.name}: {len(soft)} soft check{'s' if len(soft) > 1 else ''} failed "
                 "(the flow went on after each)", *_items(soft)]
        if runner.reproduce:
            lines.append(f"  Reproduce: {runner.reproduce}")
        raise StepFailed(runner.redactor("\n".join(lines)), first.step, first.cause, first.failure_class)


def _items(soft: list[Any]) -> list[str]:
    """Each soft failure: its number, file:line, step and class, then its message lines."""
    lines: list[str] = []
    for number, exc in enumerate(soft, start=1):
        step = exc.step
        lines.append(f"  {number}. {step.source} step {step.index} `{step.title}` ({exc.failure_class})")
        rest = str(exc).splitlines()[1:]
        lines += detail_lines(rest)
    return [line for line in lines if line]


def detail_lines(lines: list[str]) -> list[str]:
    """A failure's detail lines, indented under a list item; its Class and Reproduce lines left to the whole."""
    return ["     " + line.removeprefix("  ") for line in lines if line.strip() and not _SKIPPED.match(line)]
