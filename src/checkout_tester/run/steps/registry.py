"""The verb -> handler table and what every handler receives."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from checkout_tester.run.context import StepContext as StepContext  # re-exported: what every handler receives
from checkout_tester.run.steps.ambiguity import unambiguous

if TYPE_CHECKING:
    from checkout_tester.flow.model import Step

Handler = Callable[[StepContext, "Step", Any], None]
HANDLERS: dict[str, Handler] = {}
ACTIONS: set[str] = set()  # verbs that are shopper actions (counted per flow)


def handler(verb: str, action: bool = False) -> Callable[[Handler], Handler]:
    """Register the function as the handler of a verb."""

    def register(fn: Handler) -> Handler:
        HANDLERS[verb] = unambiguous(fn)  # "N elements match ...", not Playwright's strict mode violation
        if action:
            ACTIONS.add(verb)
        return fn

    return register
