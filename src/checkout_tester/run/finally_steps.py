"""`finally:` steps: run after a flow's steps, passed or failed, in the same page and scope (clean-up).

A failing finally step is a failed step of its own (events, Allure, timings). When the steps had failed, the
flow's message keeps that first failure and adds the finally one below it; when they had passed, the finally
failure fails the flow. A first Ctrl-C still lets the finally steps run (interrupts.held); a second stops at once.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from checkout_tester.base.errors import CheckoutTesterError, StepFailed
from checkout_tester.base.redaction import Redactor
from checkout_tester.flow.model import Flow, Step
from checkout_tester.run import interrupts
from checkout_tester.run.events import Attachment
from checkout_tester.run.soft_checks import detail_lines


class Runner(Protocol):
    """What finally steps need of the engine's Runner (a small interface: no import circle)."""

    _top: int  # the last top-level step's number
    redactor: Redactor

    def run_step(self, ctx: Any, step: Step) -> None: ...

    def emit(self, event: Any) -> None: ...


_FAILURES = (StepFailed, CheckoutTesterError)  # what a step raises when it fails or the store/browser did


@contextmanager
def after(runner: Runner, ctx: Any, flow: Flow) -> Iterator[None]:
    """Around a flow's steps: then run its `finally:` steps, whatever happened, and report their failures."""
    if not flow.finally_steps:
        yield
        return
    try:
        yield
    except KeyboardInterrupt:
        raise  # a second Ctrl-C: stop now, clean-up included
    except BaseException as first:
        failed = run(runner, ctx, flow)
        if failed:
            first.args = (below(str(first), also(failed)),)  # below the first failure, never instead of it
        raise
    failed = run(runner, ctx, flow)
    if failed:
        head = failed[0]
        if len(failed) > 1:  # soft finally steps: the first failure, then the others below it
            head.args = (below(str(head), also(failed[1:])),)
        raise head


def run(runner: Runner, ctx: Any, flow: Flow) -> list[BaseException]:
    """Run the finally steps; a failing one ends them unless it is `soft: true`. Returns the failures."""
    failed: list[BaseException] = []
    runner._top = len(flow.steps)  # finally steps go on from the last top-level step's number
    with interrupts.held():
        for step in flow.finally_steps:
            try:
                runner.run_step(ctx, step)
            except _FAILURES as exc:
                failed.append(exc)
                note = f"finally step {step.index} failed at {step.source}\n\n{exc}"
                runner.emit(Attachment(name=f"finally failure {len(failed)}", mime="text/plain",
                                       body=runner.redactor(note).encode()))
                if not getattr(step.args, "soft", False):
                    break
    return failed


def below(message: str, more: str) -> str:
    """`more` after a failure message, before its closing `Reproduce:` line (a failure ends with how to re-run it)."""
    lines = message.splitlines()
    at = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].startswith("  Reproduce:")), len(lines))
    return "\n".join([*lines[:at], more, *lines[at:]])


def also(failed: list[BaseException]) -> str:
    """`Also failed in finally: file:line step N `title`` and each failure's detail lines, indented."""
    lines: list[str] = []
    for exc in failed:
        step = getattr(exc, "step", None)
        where = f"{step.source} step {step.index} `{step.title}`" if step is not None else type(exc).__name__
        klass = getattr(exc, "failure_class", "")
        lines.append(f"  Also failed in finally: {where}" + (f" ({klass})" if klass else ""))
        rest = str(exc).splitlines()[1:] if step is not None else str(exc).splitlines()
        lines += detail_lines(rest)
    return "\n".join(lines)
