"""What a step handler and an observer see of a running flow: the RunView protocol and the StepContext."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Protocol, Union

from playwright.sync_api import FrameLocator, Locator as PWLocator, Page

from checkout_tester.flow.step_arguments import Element

if TYPE_CHECKING:
    from playwright.sync_api import Response

    from checkout_tester.base.findings import Finding
    from checkout_tester.base.redaction import Redactor
    from checkout_tester.flow.detector_policy import DetectorSettings
    from checkout_tester.flow.model import Flow, Step
    from checkout_tester.flow.variables import Scope
    from checkout_tester.run.dialogs import DialogWatch
    from checkout_tester.target.config import Target, Timeouts


class RunView(Protocol):
    """The running flow as observers, step handlers and failure messages see it (the Runner implements it)."""

    page: Page
    target: Target
    timeouts: Timeouts
    artifacts: Path
    reproduce: str
    base_url: str | None
    redactor: Redactor
    scope: Scope | None
    saved: dict[str, Any]
    console: list[str]  # console lines as the failure message's Console: line may quote them
    page_errors: list[str]
    findings: list[Finding]  # what the detectors recorded in this run, in order of arrival
    detector_settings: DetectorSettings | None  # the policies judging those findings, once a detector set them
    dialogs: DialogWatch
    overhead_ms: float  # time spent observing (reading metrics, scanning pages): not the shopper's
    mail: Any

    @property
    def flow(self) -> Flow | None: ...
    def emit(self, event: Any) -> None: ...
    def place(self) -> str: ...
    def watch(self, page: Page) -> None: ...
    def init_script(self, page: Page, js: str) -> None: ...
    def navigate(self, page: Page, url: str, timeout: float) -> Response | None: ...
    def screenshot(self, page: Page, name: str, full_page: bool = False) -> None: ...
    def run_steps(self, ctx: StepContext, steps: Iterable[Step]) -> None: ...
    def excuse(self, response: Any, step: Step, reason: str) -> None: ...



Root = Union[Page, FrameLocator]


@dataclass
class StepContext:
    """Where a step acts: the page (or popup), the locator root (page or iframe), the runner."""

    runner: RunView
    page: Page
    root: Root
    scope: Any  # variables.Scope
    artifacts: Path
    expectation: str = ""  # what the handler waited for, for the failure message
    notes: list[str] = field(default_factory=list)
    # Values typed by this step whose field may be a password: the detectors' scan after the step tells
    # (no round trip of its own); what it could not tell, steps.actions.judge_typed asks the field.
    typed: list[tuple[PWLocator, str]] = field(default_factory=list)

    def within(self, **changes: Any) -> "StepContext":
        """A copy acting elsewhere (a frame, a popup, a sub-flow's scope)."""
        values = {**self.__dict__, "expectation": "", "notes": [], "typed": [], **changes}
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


