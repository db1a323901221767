"""What watches a run: the Observer hooks the engine calls (observers see the run as a context.RunView).

Observers (page timing, detectors, input judging, accessibility audits, and later the monitor's or the
reproduce bundle's) are registered with the Runner as factories `(RunView) -> Observer`; the engine
calls every one at the same points and never names them, so adding one is no edit to the engine.
"""
from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, Callable

from checkout_tester.run.context import RunView as RunView, StepContext  # RunView re-exported for observers

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from checkout_tester.base.findings import Finding
    from checkout_tester.flow.model import Flow, Step, Variant


class Observer:
    """Base of every observer: each hook does nothing until overridden. Hooks run in registration order."""

    def watch(self, page: Page) -> None:
        """A page (the first one, or a popup) to follow."""

    def flow_started(self, flow: Flow) -> None:
        """A flow begins (before its variables are rendered)."""

    def around_flow(self, flow: Flow, variant: Variant) -> AbstractContextManager[None]:
        """Wraps the flow's steps: may reword or excuse the failure that leaves them."""
        return nullcontext()

    def step_opened(self, uid: str) -> None:
        """A step begins."""

    def step_acted(self, step: Step) -> None:
        """The step's handler returned; still timed: wait here for what the step started (page loads)."""

    def step_passed(self, ctx: StepContext, step: Step, uid: str) -> None:
        """Untimed checks of a step that passed; raise StepFailed to fail it."""

    def step_stopped(self, ctx: StepContext, step: Step, uid: str) -> None:
        """A step ended in a failure already located (StepFailed, store unreachable)."""

    def blame(self, ctx: StepContext, step: Step, uid: str, error: BaseException) -> BaseException:
        """A step raised an error of its own: return the cause to report (a finding of this observer, or it)."""
        return error

    def step_timed(self, step: Step, args: Any, duration_ms: float) -> str | None:
        """A passed step's time; return a failure message when a `fail` budget is exceeded."""
        return None

    def after_step(self, ctx: StepContext, step: Step) -> None:
        """After the step was reported passed: checks of the page it left (raise StepFailed naming it)."""

    def steps_done(self, ctx: StepContext, last: Step) -> None:
        """Every step passed: judge what arrived after the last one (raise StepFailed naming it)."""

    def flow_timed(self, flow: Flow, duration_ms: float, actions: int) -> str | None:
        """The flow's own time and action count; return a failure message when over a `fail` budget."""
        return None

    def flow_closed(self) -> None:
        """The flow ended, however it ended: write logs, warn."""

    def found(self, finding: Finding) -> None:
        """A finding recorded by someone else (a dialog answered by the runner)."""

    def excuse(self, response: Any, step: Step, reason: str) -> None:
        """The step expects this response (a 404 it asked for): its findings are not problems."""


ObserverFactory = Callable[[RunView], Observer]
