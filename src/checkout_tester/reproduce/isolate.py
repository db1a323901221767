"""`reproduce --isolate`: the smallest change of a failing run's inputs that makes the flow pass.

The search is hierarchical delta debugging: run the flow as reported (it must fail), then with every input
in its simplest form at once (simplify.py). When that passes, ddmin finds which inputs matter, then which
changes of those inputs; each try is a fresh `session.run` (a fresh browser context). A try that fails with
the reported failure class still fails; one that fails with another class is inconclusive and counts as not
passing. Runs are counted and capped; secrets are never varied nor shown.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checkout_tester.base import failure_classes as classes
from checkout_tester.base.errors import CheckoutTesterError, StepFailed, StoreUnreachable
from checkout_tester.base.redaction import Redactor
from checkout_tester.flow.model import Flow, Variant
from checkout_tester.reproduce import simplify
from checkout_tester.reproduce.ddmin import ddmin
from checkout_tester.reproduce.isolation import FAILED, INCONCLUSIVE, MAX_RUNS, PASSED, Isolation, Try, paragraph
from checkout_tester.reproduce.simplify import Change, Input
from checkout_tester.run.interrupts import FlowInterrupted
from checkout_tester.session import Session

Trial = Callable[[dict[str, str]], str]  # inputs -> the failure class of one fresh run, '' when it passed
GENTLE = ("trim", "collapse-spaces", "ascii-fold", "no-plus-tag", "lower-case")  # equivalent forms, nothing cut


class _Capped(Exception):
    """The run cap is reached: the search stops with what it has."""


class _Search:
    """Runs tries, counts and caches them, and remembers the smallest passing change set."""

    def __init__(self, found: list[Input], trial: Trial, max_runs: int, progress: Callable[[str], None] | None,
                 redactor: Redactor) -> None:
        self.inputs, self.trial, self.max_runs, self.progress, self.redactor = found, trial, max_runs, progress, redactor
        self.tries: list[Try] = []
        self.cache: dict[frozenset[tuple[str, str]], str] = {}
        self.reported = ""  # the failure class of the run as reported
        self.best: list[Change] | None = None

    def outcome(self, changes: list[Change]) -> str:
        """Run the flow with these changes (cached); passed, failed (same class) or inconclusive."""
        key = frozenset((c.input, c.kind) for c in changes)
        if key in self.cache:
            return self.cache[key]
        if len(self.tries) >= self.max_runs:
            raise _Capped()
        typed = {i.name: simplify.apply(i, changes) for i in self.inputs}
        failure = self.trial(typed)
        if not self.tries:
            self.reported = failure
        result = PASSED if not failure else FAILED if failure == self.reported else INCONCLUSIVE
        names = tuple(f"{c.input}: {c.kind}" for c in changes)
        shown = {name: self.redactor(value) for name, value in typed.items()}
        self.tries.append(Try(len(self.tries) + 1, names, shown, result, failure))
        if self.progress is not None:
            what = ", ".join(names) or "the inputs as reported"
            self.progress(self.redactor(f"isolate run {len(self.tries)}: {what} -> {result}"
                                        + (f" ({failure})" if failure else "")))
        self.cache[key] = result
        if result == PASSED and changes and (self.best is None or len(changes) < len(self.best)):
            self.best = list(changes)
        return result

    def passes(self, changes: list[Change]) -> bool:
        """True when the flow passes with these changes."""
        return self.outcome(changes) == PASSED


def isolate_flow(session: Session, flow: Flow, variant: Variant, values: dict[str, Any],
                 max_runs: int = MAX_RUNS, progress: Callable[[str], None] | None = None,
                 redactor: Redactor | None = None) -> Isolation:
    """Find the smallest change of the inputs that makes a failing flow pass (see the module docstring).

    `progress` is told of every run (one line, secrets masked); `redactor`, the run's, masks what the
    command line declared secret too (the target's secrets are added to it).
    """
    redactor = _redactor(session, redactor)
    found = simplify.inputs(flow, variant, values, redactor, session.target.secret, session.target.vars)

    def trial(typed: dict[str, str]) -> str:
        try:
            session.run(flow, variant, {**values, **typed})
        except FlowInterrupted:
            raise  # Ctrl-C stops the search too
        except (StepFailed, StoreUnreachable) as exc:
            return classes.class_of(exc) or classes.classify(str(exc))
        except CheckoutTesterError as exc:  # not a failure of the flow's steps: another failure, not this one
            return f"error: {type(exc).__name__}"
        return ""

    return search(found, trial, flow.name, variant.id, max_runs, progress, redactor)


def search(found: list[Input], trial: Trial, flow: str = "", variant: str = "", max_runs: int = MAX_RUNS,
           progress: Callable[[str], None] | None = None, redactor: Redactor | None = None) -> Isolation:
    """The search over `found`'s simpler forms, running `trial` (the failure class of one run, '' if it passed)."""
    redactor = redactor if redactor is not None else Redactor()
    state = _Search(found, trial, max(max_runs, 1), progress, redactor)
    result = Isolation(flow=flow, variant=variant, verdict="inconclusive", inputs=found, max_runs=max_runs)
    everything = [c for item in found for c in simplify.candidates(item)]
    result.candidates = len(everything)
    try:
        if state.outcome([]) == PASSED:
            result.verdict = "passes"
        elif not everything:
            result.verdict = "nothing-to-vary"
        else:
            start = _first_passing(state, everything)
            if start is not None:
                _minimise(state, start)
    except _Capped:
        result.capped = True
    result.failure_class = state.reported
    result.tries, result.runs = state.tries, len(state.tries)
    if state.best is not None:
        result.verdict, result.changes = "isolated", state.best
        changed = {c.input for c in state.best}
        result.irrelevant = [i.name for i in found if i.name not in changed]
    elif result.verdict == "inconclusive" and not any(t.outcome == INCONCLUSIVE for t in state.tries[1:]) \
            and not result.capped:
        result.verdict = "independent"
    result.text = redactor(paragraph(result))
    return result


def _first_passing(search: _Search, everything: list[Change]) -> list[Change] | None:
    """A change set that makes the flow pass: all at once, else the equivalent ones, else one alone."""
    gentle = [c for c in everything if c.kind in GENTLE]
    for start in (everything, gentle):
        if start and search.passes(start):
            return start
    if any(t.outcome == INCONCLUSIVE for t in search.tries):  # the simplest forms broke something else
        for change in everything:
            if search.passes([change]):
                return [change]
    return None


def _minimise(search: _Search, start: list[Change]) -> None:
    """ddmin over the inputs changed in `start`, then over the changes of the inputs that matter."""
    names = list(dict.fromkeys(c.input for c in start))
    if len(names) > 1:
        names = ddmin(names, lambda keep: search.passes([c for c in start if c.input in keep]))
    ddmin([c for c in start if c.input in names], search.passes)


def _redactor(session: Session, redactor: Redactor | None) -> Redactor:
    """A redactor knowing every secret of the target (an input equal to one is never varied nor shown)."""
    redactor = redactor if redactor is not None else Redactor()
    for name in session.target.secrets:
        value = session.target.secret(name)
        if value:
            redactor.add(value)
    return redactor
