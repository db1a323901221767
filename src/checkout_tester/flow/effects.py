"""Side effects a flow has on the store (`effects:`), so a production target can refuse the flows it must not run."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from checkout_tester.flow.model import Flow, Step

# The fixed vocabulary: what a flow leaves behind in the store or in the world.
EFFECTS: dict[str, str] = {
    "creates-account": "signs up a new shopper account",
    "places-order": "places an order the store will fulfil",
    "sends-message": "makes the store send mail, or writes to its support staff",
    "charges-card": "takes a payment (card, wallet)",
    "changes-account": "changes or deletes an existing account (address, password, closing it)",
}
Effect = Literal["creates-account", "places-order", "sends-message", "charges-card", "changes-account"]
assert list(get_args(Effect)) == list(EFFECTS)  # the target config's type and the vocabulary are one list
EXAMPLE = "e.g. effects: [creates-account, sends-message], or effects: [] for a flow that changes nothing"


@dataclass(frozen=True)
class Effective:
    """A flow's effects with those of its sub-flows: each effect -> the file declaring it; undeclared files."""

    effects: dict[str, str]
    undeclared: tuple[str, ...]  # the flow, or a sub-flow it uses, that has no `effects:` key


def effective(flow: Flow) -> Effective:
    """The union of the flow's `effects:` and those of every sub-flow it uses (finally steps too)."""
    found: dict[str, str] = {}
    undeclared: list[str] = []
    seen: set[str] = set()
    pending = [flow]
    while pending:
        current = pending.pop(0)
        if current.path in seen:
            continue
        seen.add(current.path)
        if current.effects is None:
            undeclared.append(current.path)
        for name in current.effects or ():
            found.setdefault(name, current.path)
        pending.extend(s.subflow for s in _steps((*current.steps, *current.finally_steps)) if s.subflow)
    return Effective(found, tuple(undeclared))


def _steps(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        yield from _steps(step.children)
        if step.trigger is not None:
            yield from _steps((step.trigger,))
