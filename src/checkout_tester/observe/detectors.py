"""Always-on detectors: console and page errors, failed requests, HTTP errors, visible error messages and error
markup, browser dialogs, broken assets.

The engine opens and closes every step with the detector: what the browser reported since the last
judgement is judged when the step closes, by the policy of its detector (fail / warn / ignore, with
allow-lists), attached to that step's Allure step and written to the flow's JSON log.
"""
from __future__ import annotations

import json
import time
import warnings
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Page

from checkout_tester.base import failure_classes as classes
from checkout_tester.base.findings import (
    DEFAULT_ERROR_PATTERNS,
    Finding,
    asset_finding,
    console_finding,
    http_finding,
    page_error_finding,
    request_finding,
    went_away,
)
from checkout_tester.flow.detector_policy import DetectorSettings
from checkout_tester.observe.expected_text import expected_by, expected_forms, expected_texts
from checkout_tester.observe.page_scan import TYPING, PageScanner
from checkout_tester.observe.scan_js import INIT_SCRIPT
from checkout_tester.run.events import Attachment
from checkout_tester.run.observers import Observer, RunView
from checkout_tester.run.steps.actions import typed_found

if TYPE_CHECKING:
    from checkout_tester.flow.model import Flow, Step
    from checkout_tester.run.context import StepContext

LOG_NAME = "detections.json"
ERROR_PAGE_WAIT_MS = 2000  # longest wait for an error page to show before quoting it
SCANNED = {"goto", "click", "fill", "select", "check", "press"}  # after these, look for error messages
RESCAN = {"http", "requestfailed", "console", "pageerror"}  # failing these, read the windows again for a message
# Worst first: when one step has several failing findings, the first of these names the class.
SEVERITY = (classes.STORE_UNREACHABLE, classes.SERVER_ERROR, classes.PAGE_ERROR, classes.REQUEST_FAILED, classes.VISIBLE_ERROR)


class DetectorWarning(UserWarning):
    """A detector finding whose policy is `warn`: the flow passes, pytest's summary shows it."""


class Detected(AssertionError):
    """A detector with policy `fail` saw something; its failure class is the finding's."""

    def __init__(self, message: str, failure_class: str) -> None:
        super().__init__(message)
        self.failure_class = failure_class


class Detector(Observer):
    """Records what the browser reports during one flow run and judges it per step."""

    def __init__(self, runner: RunView) -> None:
        self.runner = runner
        self.settings: DetectorSettings = getattr(runner.target, "detectors", None) or DetectorSettings()
        runner.detector_settings = self.settings
        self.patterns = list(runner.target.error_patterns or DEFAULT_ERROR_PATTERNS)
        self.findings: list[Finding] = runner.findings  # the run's list: failure messages read it too
        self._open: list[str] = []  # uids of the steps running now, innermost last
        self._pending: list[Finding] = []  # not judged yet: the next step to close judges them
        self._expected: list[str] = []
        self._contexts: set[int] = set()
        self.scanner = PageScanner(self)  # error text and markup, refused fields, broken images
        self.dialogs = runner.dialogs  # the runner's; what it answers comes back through found()
        self.broken_urls: set[str] = set()  # assets reported as broken, once per URL
        self.overhead_ms = 0.0  # time spent scanning and judging, reported in the JSON log
        self._started = time.perf_counter()
        # Documents by frame: a frame's navigations counted, each request's count when it started. A request
        # aborted after its frame navigated again belongs to the document the shopper left, even at the same URL.
        self._navigations: dict[int, int] = {}
        self._born: dict[int, tuple[int, int]] = {}

    # --- recording -------------------------------------------------------------------
    def watch(self, page: Page) -> None:
        """Listen on the page's browser context, so popups and iframes are covered too."""
        context = page.context
        if id(context) in self._contexts:
            return
        self._contexts.add(id(context))
        context.on("console", self._on_console)
        context.on("weberror", lambda web_error: self._on_page_error(web_error.error))
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("requestfailed", self._on_request_failed)
        context.on("dialog", self.dialogs.on_dialog)  # every context once: popups and frames too
        self.runner.init_script(page, INIT_SCRIPT)  # notes the fields the browser refuses on submit

    def _on_request(self, request: Any) -> None:
        try:
            frame = id(request.frame)
        except Exception:  # a popup's first navigation or a worker's request: no frame to follow
            return
        if request.is_navigation_request():
            self._navigations[frame] = self._navigations.get(frame, 0) + 1
        else:
            self._born[id(request)] = (frame, self._navigations.get(frame, 0))

    def _left_behind(self, finding: Finding) -> str:
        """An aborted request of a document its frame has since replaced ('' if it was not)."""
        request = getattr(finding, "request", None)
        born = self._born.get(id(request)) if request is not None else None
        if born is not None and self._navigations.get(born[0], 0) > born[1]:
            return "its page navigated away"
        return ""

    def _on_response(self, response: Any) -> None:
        finding = http_finding(response) or asset_finding(response)
        if finding is not None and finding.kind == "asset":
            if finding.where in self.broken_urls:
                return  # a broken logo on every page is one finding
            self.broken_urls.add(finding.where)
        self.record(finding)

    def _on_request_failed(self, request: Any) -> None:
        if request.url in self.broken_urls:
            return  # Chromium aborts a stylesheet that answered 4xx: the broken_assets finding says it all
        self.record(request_finding(request))

    def _on_console(self, msg: Any) -> None:
        finding = console_finding(msg)
        suffix = f" ({finding.where})" if finding and finding.where else ""
        self.runner.console.append(f"[{msg.type}] {msg.text}{suffix}")
        self.record(finding)

    def _on_page_error(self, error: Any) -> None:
        finding = page_error_finding(error)
        self.runner.page_errors.append(finding.text + (f" ({finding.where})" if finding.where else ""))
        self.record(finding)

    def record(self, finding: Finding | None) -> None:
        """Keep a finding; the next step to close (usually the one running now) judges it."""
        if finding is None:
            return
        finding.at_ms = round((time.perf_counter() - self._started) * 1000, 1)
        if finding.kind in ("http", "requestfailed"):
            self.runner.console.append(finding.line())  # the failure message's Console: line shows these
        self.findings.append(finding)
        self._pending.append(finding)

    found = record  # a dialog the runner answered

    # --- the engine's hooks ----------------------------------------------------------
    def flow_started(self, flow: Flow) -> None:
        """A flow begins: its own `detectors:` go on top of the target's."""
        self.settings = self.settings.merged(getattr(flow, "detectors", None))
        self.runner.detector_settings = self.settings
        self._expected = [t.lower() for t in expected_texts(flow.steps)]
        self._started = time.perf_counter()

    def step_opened(self, uid: str) -> None:
        """A step begins; what is still unjudged (e.g. from between steps) will be judged with it."""
        self._open.append(uid)

    def close(self, ctx: StepContext, step: Step, uid: str, scan: bool = False, typing: bool = False) -> list[Finding]:
        """A step ends: scan for error messages, judge and attach its findings; the failing ones are returned.

        Closing twice is harmless (the engine's error paths may): only the innermost open step closes."""
        if not self._open or self._open[-1] != uid:
            return []
        began = time.perf_counter()
        try:
            return self._close(ctx, step, scan, typing)
        finally:  # detector time is not the shopper's: the step clocks leave it out (timing.py)
            spent = (time.perf_counter() - began) * 1000
            self.overhead_ms += spent
            self.runner.overhead_ms += spent

    def _close(self, ctx: StepContext, step: Step, scan: bool, typing: bool) -> list[Finding]:
        if scan:
            typed_found(ctx, self.scanner.scan(ctx.page, typing, [value for _, value in ctx.typed]))
        self._open.pop()
        # Whatever arrived since the last judgement is this step's, even if it came while a
        # container (popup, frame) was opening before this child ran: the innermost step notices first.
        mine, self._pending = self._pending, []
        for finding in mine:
            finding.step, finding.source = f"{self.runner.place() or step.index} {step.title}", str(step.source)
            self._judge(finding)
        expected_forms(mine)
        if any(f.verdict == "fail" and f.kind in RESCAN for f in mine):
            # A failing request or script often shows the shopper a message a moment later (a popup
            # that was still loading): read the windows once more, so the failure can quote it.
            self._let_error_pages_load(ctx.page, mine)
            self.scan(ctx.page)
            for finding in self._pending:
                finding.step, finding.source = f"{self.runner.place() or step.index} {step.title}", str(step.source)
                self._judge(finding)
            mine, self._pending = mine + self._pending, []
            expected_forms(mine)
        shown = [f for f in mine if f.verdict != "ignore"]
        if shown:
            text = "\n".join(f.judged() for f in shown)
            self.runner.emit(Attachment(name=_title(shown), mime="text/plain",
                                        body=self.runner.redactor(text).encode()))
        return [f for f in mine if f.verdict == "fail"]

    def _let_error_pages_load(self, page: Page, findings: list[Finding]) -> None:
        """An error page (a 503 in a popup) is recorded when its headers arrive, before its window shows it.
        Wait, bounded, until it has loaded where it will show, else the re-read has nothing to quote: its
        frame, or for a popup's first page (Playwright gives its request no frame, and reports the window
        itself only once that page has started loading) a window still blank or the window yet to come."""
        timeout = min(self.runner.timeouts.ms("expect"), ERROR_PAGE_WAIT_MS)
        for finding in findings:
            request = finding.document
            if request is None or finding.verdict != "fail":
                continue
            try:
                frames = [request.frame]
            except Exception:  # a popup's first navigation: the frame did not exist when it was sent
                frames = [w.main_frame for w in page.context.pages
                          if not w.is_closed() and w.main_frame.url in ("about:blank", "", request.url)]
                if not frames:
                    try:
                        frames = [page.context.wait_for_event("page", timeout=timeout).main_frame]
                    except Exception:  # no window came: nothing to wait for
                        continue
            for frame in frames:
                try:
                    frame.wait_for_url(lambda url, want=request.url: url == want, wait_until="domcontentloaded",
                                       timeout=timeout)
                except Exception:  # closed, detached or sent elsewhere: nothing more to read there
                    continue

    def step_stopped(self, ctx: StepContext, step: Step, uid: str) -> None:
        """A step failed in a way already located: close it, so its findings are judged and attached."""
        self.close(ctx, step, uid)

    def step_passed(self, ctx: StepContext, step: Step, uid: str) -> None:
        """After a step that passed: a finding whose policy is `fail` fails it here."""
        failing = self.close(ctx, step, uid, scan=step.kind in SCANNED, typing=step.kind in TYPING)
        if failing:
            raise self._step_failed(ctx, step, self.cause(failing))

    def blame(self, ctx: StepContext, step: Step, uid: str, error: BaseException) -> BaseException:
        """A step failed on its own: a failing finding, if any, is the cause to report; else the error."""
        failing = self.close(ctx, step, uid, scan=True)
        return self.cause(failing, error) if failing else error

    def steps_done(self, ctx: StepContext, step: Step) -> None:
        """The last step passed: what arrived after it is judged too, and fails the flow naming that step."""
        leftover, self._pending = self._pending, []
        for finding in leftover:
            finding.step, finding.source = f"after step {step.index} {step.title}", str(step.source)
            self._judge(finding)
        shown = [f for f in leftover if f.verdict != "ignore"]
        if shown:
            text = "\n".join(f.judged() for f in shown)
            self.runner.emit(Attachment(name=_title(shown) + " after the last step", mime="text/plain",
                                        body=self.runner.redactor(text).encode()))
        failing = [f for f in leftover if f.verdict == "fail"]
        if failing:
            raise self._step_failed(ctx, step, self.cause(failing))

    def _step_failed(self, ctx: StepContext, step: Step, detected: Detected) -> AssertionError:
        from checkout_tester.base.errors import StepFailed
        from checkout_tester.run.failure_text import describe

        ctx.expectation = "no error while the step ran (always-on detectors)"  # the step itself did its part
        return StepFailed(describe(self.runner, ctx, step, detected), step, detected)

    def scan(self, page: Page, typing: bool = False) -> None:
        """Read every open window and frame: error text and markup, refused fields, broken images."""
        self.scanner.scan(page, typing)

    def _judge(self, finding: Finding) -> None:
        policy = self.settings.of(finding.detector)
        verdict = policy.policy_for(finding.extra.get("type", ""))
        allowed = policy.allows(f"{finding.text} {finding.where}")
        expected = expected_by(finding, self._expected) if finding.kind == "message" else None
        gone = went_away(finding) or self._left_behind(finding)
        if verdict == "ignore":
            finding.verdict = "ignore"
        elif finding.extra.get("handled"):  # a dialog a `dialog` step answered
            finding.verdict, finding.reason = "expected", finding.extra["handled"]
        elif allowed:
            finding.verdict, finding.reason = "allowed", allowed
        elif expected:
            finding.verdict, finding.reason = "expected", f"the flow expects {expected!r}"
        elif gone:  # the browser cancels what a closed window or a left page still had in flight
            finding.verdict, finding.reason = "expected", f"aborted because {gone}"
        else:
            finding.verdict = verdict

    def cause(self, failing: list[Finding], underway: BaseException | None = None) -> Detected:
        """The error a step fails with because of failing findings (the worst first)."""
        failing = sorted(failing, key=lambda f: SEVERITY.index(f.failure_class))
        worst = failing[0]
        lines = [f"{worst.failure_class}: {worst.line()}"] + [f"also: {f.line()}" for f in failing[1:4]]
        if underway is not None:
            from checkout_tester.run.failure_text import playwright_detail

            detail = playwright_detail(underway).splitlines()
            lines.append(f"(and the step's own check failed: {detail[0] if detail else type(underway).__name__})")
        return Detected("\n".join(lines), worst.failure_class)

    def flow_closed(self) -> None:
        """The flow ended: write the JSON log, and show `warn` findings in pytest's warnings summary."""
        self.write_log()
        for finding in (f for f in self.findings if f.verdict == "warn"):
            # Reported at the YAML line of the step, so pytest's summary points at the flow, not the engine.
            file, _, line = (finding.source or self._name()).rpartition(":")
            text = f"{finding.line()} [{finding.detector}: warn] at step {finding.step}"
            warnings.warn_explicit(DetectorWarning(self.runner.redactor(text)), DetectorWarning,
                                   file or self._name(), int(line) if line.isdigit() else 1)

    def write_log(self) -> None:
        """Write every finding to <artifacts>/detections.json and attach it."""
        data = {"flow": self._name(), "settings": self.settings.model_dump(mode="json"),
                "error_patterns": self.patterns, "overhead_ms": round(self.overhead_ms, 1), "findings": [f.as_json() for f in self.findings]}
        folder = self.runner.artifacts
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_NAME
        path.write_text(self.runner.redactor(json.dumps(data, indent=2)), encoding="utf-8")
        self.runner.emit(Attachment(name="detector log", mime="application/json", path=str(path)))

    def _name(self) -> str:
        flow = self.runner.flow
        return flow.path if flow else "flow"

    def excuse(self, response: Any, step: Step, reason: str) -> None:
        """The HTTP-error finding of an answer the step expects (a 404 page it asked for) passes as expected."""
        # Findings are recorded as responses arrive, so this one waits among the unjudged.
        for finding in list(self._pending):
            same = finding.document is response.request or (finding.where == response.url
                                                              and finding.status == response.status)
            if finding.kind == "http" and same:
                self._pending.remove(finding)
                if finding.line() in self.runner.console:  # not a problem for failure messages to list
                    self.runner.console.remove(finding.line())
                finding.step, finding.source = f"{step.index} {step.title}", str(step.source)
                finding.verdict, finding.reason = "expected", reason


def _title(findings: list[Finding]) -> str:
    worst = next((v for v in ("fail", "warn", "allowed", "expected") if any(f.verdict == v for f in findings)), "")
    label = {"fail": "detector: FAILED", "warn": "detector: warning"}.get(worst, "detector: noted")
    return f"{label} ({len(findings)} finding{'s' if len(findings) > 1 else ''})"
