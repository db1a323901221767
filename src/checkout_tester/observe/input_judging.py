"""Judging equivalent-input variants at run time: a refused equivalent is "valid input rejected"."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from checkout_tester.base import failure_classes as classes
from checkout_tester.flow.model import Flow, Variant
from checkout_tester.run.events import Attachment
from checkout_tester.run.observers import Observer, RunView

# (flow path, input) -> "passed" | "failed": how the baseline input fared in this process.
BASELINES: dict[tuple[str, str], str] = {}
BASELINE_TYPED: dict[tuple[str, str], object] = {}  # (flow path, input) -> the baseline's value as typed
_CLASS_LINE = re.compile(r"^\s*Class:.*\n?", re.MULTILINE)


class InputJudge(Observer):
    """Wraps each equivalent-input variant: a refusal is "valid input rejected", an expected refusal passes."""

    def __init__(self, runner: RunView) -> None:
        self.runner = runner

    def around_flow(self, flow: Flow, variant: Variant) -> AbstractContextManager[None]:
        """The variant's steps run inside `judged`."""
        return judged(self.runner, flow, variant)


@contextmanager
def judged(runner: RunView, flow: Flow, variant: Variant) -> Iterator[None]:
    """Run a variant's steps; reword failures of equivalent inputs, check expected refusals."""
    from checkout_tester.base.errors import StepFailed

    if not variant.input:  # an ordinary variant row: nothing to judge
        yield
        return
    if not variant.transformation:  # the baseline: remember how it went for its equivalents
        try:
            yield
        except BaseException:
            BASELINES[(flow.path, variant.input)] = "failed"
            raise
        finally:
            BASELINE_TYPED[(flow.path, variant.input)] = typed(runner, variant)
        BASELINES[(flow.path, variant.input)] = "passed"
        return
    try:
        yield
    except StepFailed as exc:
        if variant.expect_refused:
            note = f"{variant.id} ({variant.transformation}) was refused, as the flow expects:\n\n{exc}"
            runner.emit(Attachment(name="refused as expected", mime="text/plain", body=runner.redactor(note).encode()))
            return
        if BASELINES.get((flow.path, variant.input)) == "failed":
            raise  # the baseline fails too: this is not about the spelling of the input
        raise StepFailed(rejected_message(runner, flow, variant, str(exc)), exc.step, exc.cause,
                         failure_class=classes.VALID_INPUT_REJECTED) from None
    if variant.expect_refused:
        value = typed(runner, variant)
        raise StepFailed(f"{flow.name}: {variant.id} ({variant.transformation}) was accepted, but the flow expects "
                         f"the store to refuse it\n  Input:    {value!r}\n  Reproduce: {runner.reproduce}",
                         flow.steps[-1], failure_class=classes.CONTENT_MISSING)


def rejected_message(runner: RunView, flow: Flow, variant: Variant, original: str) -> str:
    """The failure message of a refused equivalent: variant, transformation, the page's message, then the rest."""
    name = variant.input
    baseline = flow.variants[0].values.get(name) if flow.variants else None
    outcome = BASELINES.get((flow.path, name))
    ran = "passed in this run" if outcome == "passed" else "was not run in this session"
    baseline = BASELINE_TYPED.get((flow.path, name), baseline) if outcome else baseline
    first, _, rest = original.partition("\n")
    lines = [first,
             f"  valid input rejected: {variant.id}, {variant.transformation}",
             f"  Input:    {name} = {typed(runner, variant)!r}; the baseline {baseline!r} {ran}",
             f"  Page said: {page_message(runner, original)}",
             _CLASS_LINE.sub("", rest)]
    return runner.redactor("\n".join(line for line in lines if line))


def typed(runner: RunView, variant: Variant) -> object:
    """The input as this run rendered and typed it (a template's result, its `unique:` token), not as written."""
    scope = runner.scope
    if scope is not None and variant.input in scope.values:
        return scope.values[variant.input]
    return variant.values.get(variant.input)


def page_message(runner: RunView, original: str) -> str:
    """The error message the page showed: the last one the detector saw, else the one in the failure."""
    seen = [f.extra.get("message") or f.text for f in runner.findings if f.kind == "message"]
    if seen:
        return repr(seen[-1])
    match = re.search(r"^\s+message (.+)$", original, re.MULTILINE)
    return repr(match.group(1).strip()) if match else "(no error message was visible)"
