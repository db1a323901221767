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

GENTLE = ("trim", "collapse-spaces", "ascii-fold", "no-plus-tag", "lower-case")  # equivalent forms, nothing cut


class _Capped(Exception):
    """The run cap is reached: the search stops with what it has."""


class _Search:
    """Runs tries, counts and caches them, and remembers the smallest passing change set."""

    def __init__(self, session: Session, flow: Flow, variant: Variant, values: dict[str, Any],
                 found: list[Input], max_runs: int, progress: Callable[[str], None] | None,
                 redactor: Redactor) -> None:
        self.session, self.flow, self.variant, self.values = session, flow, variant, values
        self.inputs, self.max_runs, self.progress, self.redactor = found, max_runs, progress, redactor
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
        failure = self._run({**self.values, **typed})
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
        if result == PASSED and (self.best is None or len(changes) < len(self.best)):
            self.best = list(changes)
        return result

    def _run(self, values: dict[str, Any]) -> str:
        """The failure class of one fresh run, or '' when it passed."""
        try:
            self.session.run(self.flow, self.variant, values)
        except FlowInterrupted:
            raise  # Ctrl-C stops the search too
        except (StepFailed, StoreUnreachable) as exc:
            return classes.class_of(exc) or classes.classify(str(exc))
        except CheckoutTesterError as exc:
            return f"error: {type(exc).__name__}"
        return ""

    def passes(self, changes: list[Change]) -> bool:
        """True when the flow passes with these changes."""
        return self.outcome(changes) == PASSED


def isolate_flow(session: Session, flow: Flow, variant: Variant, values: dict[str, Any],
                 max_runs: int = MAX_RUNS, progress: Callable[[str], None] | None = None) -> Isolation:
    """Find the smallest change of the inputs that makes a failing flow pass (see the module docstring)."""
    redactor = _redactor(session)
    found = simplify.inputs(flow, variant, values, redactor, session.target.secret, session.target.vars)
    search = _Search(session, flow, variant, values, found, max(max_runs, 1), progress, redactor)
    result = Isolation(flow=flow.name, variant=variant.id, verdict="inconclusive", inputs=found, max_runs=max_runs)
    everything = [c for item in found for c in simplify.candidates(item)]
    result.candidates = len(everything)
    try:
        if search.outcome([]) == PASSED:
            result.verdict = "passes"
        elif not everything:
            result.verdict = "nothing-to-vary"
        else:
            start = _first_passing(search, everything)
            if start is not None:
                _minimise(search, start)
    except _Capped:
        result.capped = True
    result.failure_class = search.reported
    result.tries, result.runs = search.tries, len(search.tries)
    if search.best is not None:
        result.verdict, result.changes = "isolated", search.best
        changed = {c.input for c in search.best}
        result.irrelevant = [i.name for i in found if i.name not in changed]
    elif result.verdict == "inconclusive" and not any(t.outcome == INCONCLUSIVE for t in search.tries[1:]) \
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


def _redactor(session: Session) -> Redactor:
    """A redactor knowing every secret of the target (an input equal to one is never varied nor shown)."""
    redactor = Redactor()
    for name in session.target.secrets:
        value = session.target.secret(name)
        if value:
            redactor.add(value)
    return redactor
