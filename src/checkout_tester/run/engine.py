"""Run one flow on a Playwright page. Emits events; knows nothing of pytest or the CLI."""
from __future__ import annotations

import re
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import urljoin

from playwright.sync_api import Error as PlaywrightError, Page, Response

from checkout_tester.base import failure_classes as classes
from checkout_tester.base.errors import CheckoutTesterError, StepFailed, StoreUnreachable
from checkout_tester.base.findings import Finding
from checkout_tester.base.redaction import Redactor
from checkout_tester.flow import unique
from checkout_tester.flow.detector_policy import DetectorSettings
from checkout_tester.flow.model import Flow, Step, Variant
from checkout_tester.flow.variables import FakeData, Scope, UnknownVariable
from checkout_tester.run import (
    expected_failures as expectfail,
    failure_text as failure,
    finally_steps,
    infra,
    interrupts,
    soft_checks as softchecks,
)
from checkout_tester.run.dialogs import DialogWatch
from checkout_tester.run.events import Attachment, FlowFinished, FlowStarted, Listener, StepFinished, StepStarted
from checkout_tester.run.interrupts import FlowInterrupted
from checkout_tester.run.observers import ObserverFactory
from checkout_tester.run.steps import HANDLERS
from checkout_tester.run.steps.actions import judge_typed
from checkout_tester.run.steps.registry import ACTIONS, StepContext
from checkout_tester.target.config import Target
from checkout_tester.target.preflight import secret_uses

# Secret-masking style: fields filled with a secret are drawn as dots in screenshots and video.
MASK_SCRIPT = """(() => { const css = 'input[data-ct-secret]{-webkit-text-security:disc!important}';
  const add = () => { const s = document.createElement('style'); s.textContent = css;
    (document.head || document.documentElement).appendChild(s); };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', add); else add(); })();"""


def _broken(failed: StepFailed) -> BaseException:
    """A failure of an infrastructure class (store unreachable ...) as what Allure counts as broken."""
    if classes.BY_NAME[failed.failure_class].status != "broken":
        return failed
    error = StoreUnreachable(str(failed))
    error.failure_class, error.located = failed.failure_class, True  # type: ignore[attr-defined]
    return error


class Runner:
    """Runs flows on one page, keeping the run's variables, console log and counters.

    Listeners receive the run's events; observers (factories given the runner as a RunView) watch the
    page and judge each step at the hooks of run.observers.Observer. With none, steps run unobserved."""

    def __init__(self, page: Page, target: Target, listeners: Sequence[Listener] = (),
                 artifacts: str | Path = "reports/artifacts", reproduce: str = "",
                 redactor: Redactor | None = None, fake: FakeData | None = None,
                 base_url: str | None = None, observers: Sequence[ObserverFactory] = ()) -> None:
        self.page, self.target, self.listeners = page, target, list(listeners)
        self.timeouts = target.timeouts
        self.artifacts = Path(artifacts)
        self.reproduce = reproduce
        self.base_url = base_url
        self.redactor = redactor if redactor is not None else Redactor()
        # Known from the start, not only once typed: a page may show a secret first (a card number as placeholder).
        self.redactor.add_all(target.secret_values())
        self.fake = fake or FakeData()
        self.unique_token = unique.new_token()  # this run's token for the flow's `unique:` inputs
        self.saved: dict[str, Any] = {}
        self.scope: Scope | None = None  # the running flow's variables, rendered (what was typed, for messages)
        self.actions = 0
        self.steps_run = 0
        self.console: list[str] = []
        self.page_errors: list[str] = []
        self.findings: list[Finding] = []
        self.detector_settings: DetectorSettings | None = None
        self.overhead_ms = 0.0  # observing time (metric reads, page scans): left out of step and flow times
        self._flow: Flow | None = None
        self.mail: Any = None  # the run's mailbox.Mailbox when the target has a mail sink (expect_email)
        self._scripts: list[str] | None = [MASK_SCRIPT]  # init scripts, added in one call once observers gave theirs
        self.pending = infra.PendingPages()  # page requests still unanswered: a store that hangs
        self.places: list[list[Any]] = []  # the running steps' numbers, "4" / "4.2" as timings name them
        self._top = 0
        self.dialogs = DialogWatch(self._found)  # answers every dialog; `dialog` steps arm it
        self.observers = [make(self) for make in observers]
        self.watch(page)
        scripts, self._scripts = self._scripts, None
        page.context.add_init_script("\n".join(f"try {{ {js} }} catch (e) {{}}" for js in scripts))

    @property
    def flow(self) -> Flow | None:
        """The flow running (or last run)."""
        return self._flow

    # --- browser plumbing -------------------------------------------------------------
    def watch(self, page: Page) -> None:
        """Follow a page (or popup): the observers record its console, errors, loads."""
        self.pending.watch(page)
        for observer in self.observers:
            observer.watch(page)

    def init_script(self, page: Page, js: str) -> None:
        """Run js in every document of the page's context from now on (one round trip for all while starting)."""
        if self._scripts is not None and page.context is self.page.context:
            self._scripts.append(js)
        else:
            page.context.add_init_script(js)

    def _found(self, finding: Finding) -> None:
        for observer in self.observers:
            observer.found(finding)

    def excuse(self, response: Any, step: Step, reason: str) -> None:
        """The step expects this response (e.g. `goto: {expect_status: 404}`): not a problem to report."""
        for observer in self.observers:
            observer.excuse(response, step, reason)

    def navigate(self, page: Page, url: str, timeout: float) -> Response | None:
        """Go to a URL and return its response; a store that does not answer is 'unreachable', not a failed step."""
        try:
            return page.goto(url, timeout=timeout)
        except PlaywrightError as exc:
            code = classes.UNREACHABLE.search(str(exc))
            if code:
                full = urljoin(self.base_url or "", url)
                raise StoreUnreachable(f"store unreachable: {full} did not answer ({code.group(0)}); "
                                       "the store is down or the base URL is wrong") from None
            raise

    def screenshot(self, page: Page, name: str, full_page: bool = False) -> None:
        """Save a screenshot (secret fields drawn as dots) and attach it."""
        self.artifacts.mkdir(parents=True, exist_ok=True)
        name = self.redactor(name)  # the attachment's name and the file's: `screenshot: card {{ secret.CARD }}`
        safe = re.sub(r"[^\w.-]+", "_", name)
        path = self.artifacts / f"{safe}-{uuid.uuid4().hex[:6]}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.emit(Attachment(name=name, mime="image/png", path=str(path)))

    def emit(self, event: Any) -> None:
        for listener in self.listeners:
            listener(event)

    # --- running ----------------------------------------------------------------------
    def run(self, flow: Flow, variant: Variant | None = None, values: dict[str, Any] | None = None) -> FlowFinished:
        """Run a flow (one variant row); raises StepFailed / StoreUnreachable after emitting events."""
        variant = variant or Variant(id="", values={})
        self._flow = flow
        self.redactor.add_all(filter(None, map(self.target.secret, secret_uses([flow]))))  # also unmapped ones
        self.emit(FlowStarted(flow=flow, variant=variant.id))
        self.overhead_ms = 0.0
        for observer in self.observers:
            observer.flow_started(flow)
        started = time.perf_counter()
        status, error = "passed", None
        try:
            scope = self.scope = self._scope(flow, variant, values or {})
            ctx = StepContext(runner=self, page=self.page, root=self.page, scope=scope, artifacts=self.artifacts)
            with ExitStack() as around:  # finally: steps, observers' wrappers (equivalent inputs), expect_failure, soft
                around.enter_context(finally_steps.after(self, ctx, flow))
                for observer in self.observers:
                    around.enter_context(observer.around_flow(flow, variant))
                around.enter_context(expectfail.expected(self, flow, variant))
                around.enter_context(softchecks.collected(self, flow))
                self.run_steps(ctx, flow.steps)
                for observer in self.observers:  # what arrived after the last step counts too
                    observer.steps_done(ctx, flow.steps[-1])
            for observer in self.observers:
                over = observer.flow_timed(flow, (time.perf_counter() - started) * 1000, self.actions)
                if over:
                    raise StepFailed(over, flow.steps[-1])
        except BaseException as exc:
            status = "interrupted" if isinstance(exc, FlowInterrupted) else (
                "failed" if isinstance(exc, AssertionError) else "broken")
            error = exc
            raise
        finally:
            for observer in self.observers:
                observer.flow_closed()  # e.g. the detectors' JSON log and warnings
            self._attach_logs(always=status != "passed")
            finished = FlowFinished(flow=flow, variant=variant.id, status=status,
                                    duration_ms=(time.perf_counter() - started) * 1000,
                                    steps=self.steps_run, actions=self.actions, error=error,
                                    saved={k: self.redactor(v) for k, v in self.saved.items()})
            self.emit(finished)
        return finished

    def _scope(self, flow: Flow, variant: Variant, values: dict[str, Any]) -> Scope:
        scope = Scope({}, self.target.secret, self.target.vars, self.redactor, self.fake)
        overrides = {**variant.values, **values}
        for name, default in flow.params.items():
            scope.values[name] = overrides[name] if name in overrides else scope.render(default)
        scope.values.update({k: scope.render(v) for k, v in overrides.items()})
        scope.values.update(unique.apply(flow.unique, variant, scope.values, self.unique_token))
        for name, value in flow.vars.items():
            scope.values[name] = scope.render(value)
        return scope

    def run_steps(self, ctx: StepContext, steps: Iterable[Step]) -> None:
        for step in steps:
            with softchecks.checked(self, step):  # a `soft: true` step records its failure and goes on
                self.run_step(ctx, step)

    def place(self) -> str:
        """The running step's number in this run: "4", or "4.2.1" inside sub-flows, frames and popups."""
        return self.places[-1][0] if self.places else ""

    def run_step(self, ctx: StepContext, step: Step) -> None:
        """Run one step, numbered as the timings number it (1.1.5)."""
        if self.places:
            self.places[-1][1] += 1
            place = f"{self.places[-1][0]}.{self.places[-1][1]}"
        else:
            self._top += 1
            place = str(self._top)
        interrupts.check(f"before step {place} ({step.kind}) at {step.source}")
        self.places.append([place, 0])
        try:
            self._run_step(ctx, step)
        finally:
            self.places.pop()

    def _run_step(self, ctx: StepContext, step: Step) -> None:
        """Run one step, timing it and turning any error into a message that names the YAML line."""
        uid = uuid.uuid4().hex
        try:
            args = self._render(ctx, step)
        except UnknownVariable as exc:
            raise StepFailed(failure.describe(self, ctx, step, exc), step, exc) from None
        title = self.redactor(f"{step.kind} {args.describe()}".strip())
        self.emit(StepStarted(step=step, title=title, uid=uid, place=self.place()))
        self.steps_run += 1  # every step that ran, failed ones too (a flow failing at step 5 ran 5)
        for observer in self.observers:
            observer.step_opened(uid)
        local = ctx.within()
        started = time.perf_counter()
        reading = self.overhead_ms  # nested steps' observing is not this step's time
        try:
            HANDLERS[step.kind](local, step, args)
            for observer in self.observers:
                observer.step_acted(step)  # a click that navigates lasts until the new page has loaded
        except FlowInterrupted as exc:  # a nested step saw the stop request: this one stops too
            self._finish(step, title, uid, started, exc)
            raise
        except (StepFailed, StoreUnreachable) as exc:
            judge_typed(local)
            for observer in self.observers:
                observer.step_stopped(local, step, uid)
            self._finish(step, title, uid, started, exc)
            if isinstance(exc, StoreUnreachable) and not getattr(exc, "located", False):
                exc = StoreUnreachable(f"{exc}\n" + failure.describe(self, local, step, exc, snapshot=False))
                exc.located = True  # type: ignore[attr-defined]
                raise exc from None
            raise
        except (AssertionError, PlaywrightError, CheckoutTesterError) as exc:
            judge_typed(local)
            self._infrastructure(local, step, title, uid, started, exc)  # raises when the browser or store failed
            cause: BaseException = exc
            for observer in self.observers:  # a detector finding, when one failed, is the cause
                cause = observer.blame(local, step, uid, cause)
            failed = _broken(StepFailed(failure.describe(self, local, step, cause), step, cause))
            self._finish(step, title, uid, started, failed)
            raise failed from None
        ended = time.perf_counter() - (self.overhead_ms - reading) / 1000
        try:
            for observer in self.observers:  # untimed: a finding whose policy is `fail` fails this step
                observer.step_passed(local, step, uid)
            judge_typed(local)  # what the detectors' scan did not judge
        except StepFailed as found:
            judge_typed(local)
            failed = _broken(found)
            self._finish(step, title, uid, started, failed, ended)
            raise failed from None
        if step.kind in ACTIONS:
            self.actions += 1
        for note in local.notes:
            self.emit(Attachment(name=note.split(" = ")[0], mime="text/plain", body=note.encode()))
        for observer in self.observers:
            over = observer.step_timed(step, args, (ended - started) * 1000)  # reading metrics is not step time
            if over:
                exceeded = StepFailed(over, step)
                self._finish(step, title, uid, started, exceeded, ended)
                raise exceeded
        self._finish(step, title, uid, started, None, ended)
        for observer in self.observers:  # each raises StepFailed itself, naming this step
            observer.after_step(local, step)

    def _infrastructure(self, ctx: StepContext, step: Step, title: str, uid: str, started: float,
                        exc: BaseException) -> None:
        """A browser that died or a store that stopped answering: 'broken', not the shopper's failure."""
        found, why = infra.fault_of(self.page, self.pending, exc)
        if found and interrupts.requested():
            found = ""  # fall through to FlowInterrupted below
        if interrupts.requested():
            error: BaseException = FlowInterrupted(f"interrupted by {interrupts.requested()} during step "
                                                   f"{self.place()} ({step.kind}) at {step.source}: the flow did "
                                                   "not finish (neither passed nor failed)")
        elif found:
            crashed = found == classes.BROWSER_CRASHED
            text = failure.describe(self, ctx, step, exc, snapshot=not crashed)
            head, _, rest = text.partition("\n")
            error = StoreUnreachable(classes.with_class_line(f"{head}\n  Cause:    {why}\n{rest}", found))
            error.failure_class, error.located = found, True  # type: ignore[attr-defined]
        else:
            return
        self._finish(step, title, uid, started, error)
        raise error from None

    def _finish(self, step: Step, title: str, uid: str, started: float, error: BaseException | None,
                ended: float | None = None) -> None:
        status = "passed" if error is None else ("failed" if isinstance(error, AssertionError) else "broken")
        self.emit(StepFinished(step=step, title=title, uid=uid, status=status, place=self.place(),
                               duration_ms=((ended or time.perf_counter()) - started) * 1000, error=error))

    def _render(self, ctx: StepContext, step: Step) -> Any:
        """Fill in templates; nested steps are rendered when they run."""
        nested = {"steps", "open"}
        data = step.args.model_dump(by_alias=True, exclude_none=True, exclude=nested)
        rendered = ctx.scope.render(data)
        for key in nested & set(type(step.args).model_fields):
            rendered[key] = getattr(step.args, key)
        return type(step.args).model_validate(rendered)

    def _attach_logs(self, always: bool) -> None:
        lines = [f"[pageerror] {e}" for e in self.page_errors] + self.console
        text = "\n".join(lines) or "(the browser logged nothing)"
        if lines or always:
            self.emit(Attachment(name="browser console", mime="text/plain", body=self.redactor(text).encode()))
