"""What a flow costs to run, before any run of it was timed: its steps, sub-flows and windows expanded.

Steps that wait on the store (a page, a form post, an email) weigh more than checks of a page already there.
Used to start the longest flows first when nothing better is known (pytest/order.py)."""
from __future__ import annotations

from collections.abc import Iterable

from checkout_tester.flow.model import Flow, Step

WAITS_ON_STORE = {"goto", "click", "press", "popup", "expect_email", "audit_accessibility", "reload"}
STORE_STEP, OTHER_STEP = 3.0, 1.0


def estimate(flow: Flow) -> float:
    """A relative cost (no unit): a flow of twice the figure takes about twice as long."""
    return _steps(flow.steps, depth=0)


def _steps(steps: Iterable[Step], depth: int) -> float:
    if depth > 20:  # sub-flows are checked for cycles when loaded; this only bounds a surprise
        return 0.0
    total = 0.0
    for step in steps:
        total += STORE_STEP if step.kind in WAITS_ON_STORE else OTHER_STEP
        inner = [*step.children, *([step.trigger] if step.trigger else []),
                 *(step.subflow.steps if step.subflow is not None else ())]
        total += _steps(inner, depth + 1)
    return total
