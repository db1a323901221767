"""The verb -> handler table and what every handler receives."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Union

from playwright.sync_api import FrameLocator, Locator as PWLocator, Page

from checkout_tester.flow.step_arguments import Element
from checkout_tester.run.steps.ambiguity import unambiguous

if TYPE_CHECKING:
    from checkout_tester.flow.model import Step
    from checkout_tester.run.engine import Runner

Root = Union[Page, FrameLocator]


@dataclass
class StepContext:
    """Where a step acts: the page (or popup), the locator root (page or iframe), the runner."""

    runner: "Runner"
    page: Page
    root: Root
    scope: Any  # variables.Scope
    artifacts: Path
    expectation: str = ""  # what the handler waited for, for the failure message
    notes: list[str] = field(default_factory=list)

    def within(self, **changes: Any) -> "StepContext":
        """A copy acting elsewhere (a frame, a popup, a sub-flow's scope)."""
        values = {**self.__dict__, "expectation": "", "notes": [], **changes}
        return StepContext(**values)

    def find(self, spec: Element) -> PWLocator:
        """Turn a locator spec into a Playwright locator under the current root (or under its `within`)."""
        root: Any = self.find(spec.within) if spec.within is not None else self.root
        kind = spec.locator_kind
        value = getattr(spec, kind)
        if kind == "role":
            found = root.get_by_role(value, name=spec.name, exact=spec.exact or None)
        elif kind == "label":
            found = root.get_by_label(value, exact=spec.exact)
        elif kind == "placeholder":
            found = root.get_by_placeholder(value, exact=spec.exact)
        elif kind == "text":
            found = root.get_by_text(value, exact=spec.exact)
        elif kind == "testid":
            found = root.get_by_test_id(value)  # the attribute is the target's testid_attribute
        elif kind == "title":
            found = root.get_by_title(value, exact=spec.exact)
        elif kind == "alt":
            found = root.get_by_alt_text(value, exact=spec.exact)
        else:
            found = root.locator(value)
        if spec.has_text is not None:
            found = found.filter(has_text=spec.has_text)
        return found.nth(spec.nth) if spec.nth is not None else found


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
