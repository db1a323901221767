"""One reproduction run with every piece of evidence kept: trace grouped by YAML step, video, HAR, console,
a screenshot after every step, the detector log and the timings; secrets scrubbed from what is written."""
from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Error as PlaywrightError, Page

from checkout_tester.base.findings import Finding
from checkout_tester.base.redaction import Redactor, scrub_har, scrub_zip
from checkout_tester.flow.model import Flow, Variant
from checkout_tester.flow.variables import Scope
from checkout_tester.monitor.record import RecordBuilder, RunRecord
from checkout_tester.run.events import Attachment, Event, StepFinished, StepStarted
from checkout_tester.run.interrupts import FlowInterrupted
from checkout_tester.session import Session, new_runner
from checkout_tester.target import browser_state as browserstate

log = logging.getLogger("checkout_tester.reproduce")
TRACE, HAR, VIDEO, CONSOLE, SHOTS, TIMINGS = ("trace.zip", "network.har", "video.webm", "console.log", "screenshots",
                                             "timings.json")
SHOT_TIMEOUT_MS = 5000


@dataclass
class Evidence:
    """What one reproduction left: the run's record, its scope, findings and the files kept (relative paths)."""

    record: RunRecord
    scope: Scope | None
    findings: list[Finding]
    files: dict[str, str] = field(default_factory=dict)  # trace, har, video, console, detections, timings
    screenshots: list[dict[str, str]] = field(default_factory=list)  # {step, title, status, path}
    notes: list[str] = field(default_factory=list)  # what could not be recorded, and why
    timings: dict[str, Any] = field(default_factory=dict)  # TimingRecorder's record: steps, pages, warnings
    browser: str = ""
    browser_version: str = ""


class StepRecorder:
    """Listener: opens a trace group per YAML step and takes a screenshot when the step ends."""

    def __init__(self, context: BrowserContext, folder: Path, redactor: Redactor) -> None:
        self.context, self.folder, self.redactor = context, folder, redactor
        self.pages: list[Page] = []  # the run's pages, newest last: a popup's steps are screenshot in the popup
        self.shots: list[dict[str, str]] = []
        self.console = ""
        self._open = 0
        context.on("page", self.follow)

    def follow(self, page: Page) -> None:
        """Screenshot this page (a popup) after the next steps, while it is open."""
        if page not in self.pages:
            self.pages.append(page)

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepStarted):
            title = self.redactor(f"{event.place} {event.title}")
            try:
                self.context.tracing.group(title, location={"file": str(Path(event.step.source.file).absolute()),
                                                            "line": event.step.source.line})
                self._open += 1
            except PlaywrightError as exc:  # a closed browser: the run reports that itself
                log.debug("no trace group: %s", exc)
        elif isinstance(event, StepFinished):
            self._screenshot(event)  # inside the step's group, so the trace shows it with the step
            self._close_group()
        elif isinstance(event, Attachment) and event.name == "browser console" and event.body is not None:
            self.console = event.body.decode(errors="replace")  # the runner redacted it already

    def close_groups(self) -> None:
        """End every group still open."""
        while self._open:
            self._close_group()

    def _close_group(self) -> None:
        if self._open:
            self._open -= 1
            try:
                self.context.tracing.group_end()
            except PlaywrightError as exc:
                log.debug("no trace group end: %s", exc)

    def _screenshot(self, event: StepFinished) -> None:
        page = next((p for p in reversed(self.pages) if not p.is_closed()), None)
        if page is None:
            return
        number = len(self.shots) + 1
        name = re.sub(r"[^\w.-]+", "-", f"{number:02d}-step-{event.place or event.step.index}-{event.step.kind}")
        path = self.folder / SHOTS / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # secret fields are drawn as dots (the engine's mask style)
            page.screenshot(path=str(path), timeout=SHOT_TIMEOUT_MS)
        except PlaywrightError as exc:
            log.debug("no screenshot after step %s: %s", event.place, exc)
            return
        self.shots.append({"step": event.place or event.step.index, "title": self.redactor(event.title),
                           "status": event.status, "path": path.relative_to(self.folder).as_posix()})


def record_run(session: Session, flow: Flow, variant: Variant, values: dict[str, Any], folder: Path,
               redactor: Redactor, reproduce: str, video: bool = True) -> Evidence:
    """Run one flow variant in a fresh context of the session's browser, keeping all evidence in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    if session.before_run is not None:
        session.before_run()  # the embedded demo store starts empty, as for `checkout-tester run`
    options = {**session.context_args(), **browserstate.context_args(session.target, flow),
               "record_har_path": str(folder / HAR)}
    context, page = _open(session, options, folder if video else None, notes)
    context.tracing.start(screenshots=True, snapshots=True, sources=False, title=redactor(flow.name))
    recorder = StepRecorder(context, folder, redactor)
    recorder.follow(page)
    builder = RecordBuilder("reproduce", session.target.name, redactor)
    runner = new_runner(page, session.target, session.mail, extra=session.observers,
                        listeners=[builder, recorder, *session.listeners], artifacts=folder,
                        base_url=session.base_url, redactor=redactor, reproduce=reproduce)
    try:
        runner.run(flow, variant, values)
    except FlowInterrupted:
        notes.append("The run was interrupted (Ctrl-C or SIGTERM) before the flow finished.")
    except Exception as exc:  # noqa: BLE001  a failed flow is what we came for: its record says how
        log.debug("flow ended with %s", type(exc).__name__)
    recorder.close_groups()  # a step cut short by an interrupt leaves its group open
    record = builder.record
    assert record is not None, "the runner always emits FlowFinished"
    evidence = Evidence(record=record, scope=runner.scope, findings=list(runner.findings), notes=notes,
                        browser=session.browser.browser_type.name, browser_version=session.browser.version)
    evidence.screenshots = recorder.shots
    evidence.timings = redactor.deep(builder.timings.record)
    _finish(context, page, folder, redactor, evidence)
    (folder / CONSOLE).write_text(recorder.console or "(the browser logged nothing)\n", encoding="utf-8")
    evidence.files["console"] = CONSOLE
    (folder / TIMINGS).write_text(json.dumps(evidence.timings, indent=2, default=str), encoding="utf-8")
    evidence.files["timings"] = TIMINGS
    if (folder / "detections.json").exists():
        evidence.files["detections"] = "detections.json"
    return evidence


def _open(session: Session, options: dict[str, Any], video_folder: Path | None,
          notes: list[str]) -> tuple[BrowserContext, Page]:
    """A context and page recording video into `video_folder`; without video (saying why) when it can't."""
    if video_folder is not None:
        context = session.browser.new_context(**options, record_video_dir=str(video_folder / "video"))
        try:  # Playwright starts the recorder with the first page: a missing ffmpeg shows here
            return context, context.new_page()
        except PlaywrightError as exc:
            context.close()
            reason = "ffmpeg is missing; install it: apt-get install ffmpeg, or `make setup`" if "ffmpeg" in str(exc) \
                else _first_line(exc)
            notes.append(f"No video: the browser could not record one ({reason}).")
    context = session.browser.new_context(**options)
    return context, context.new_page()


def _finish(context: BrowserContext, page: Page, folder: Path, redactor: Redactor, evidence: Evidence) -> None:
    """Stop the trace, close the context (which writes the HAR and the video), then scrub and name them."""
    video = page.video
    try:
        context.tracing.stop(path=str(folder / TRACE))
        scrub_zip(folder / TRACE, redactor)
        evidence.files["trace"] = TRACE
    except PlaywrightError as exc:
        evidence.notes.append(f"No trace: {_first_line(exc)}")
    try:
        context.close()
    except PlaywrightError as exc:
        evidence.notes.append(f"The browser context did not close cleanly: {_first_line(exc)}")
    har = folder / HAR
    if har.exists():
        scrub_har(har, redactor)  # base64 bodies and every encoding a browser uses
        evidence.files["har"] = HAR
    if video is not None:
        try:
            video.save_as(folder / VIDEO)  # path() has no file here when the browser is remote (browser.connect)
            video.delete()
            if (folder / VIDEO).exists():
                evidence.files["video"] = VIDEO
        except PlaywrightError as exc:
            evidence.notes.append(f"No video: {_first_line(exc)}")
        shutil.rmtree(folder / "video", ignore_errors=True)
    elif "video" not in " ".join(evidence.notes).lower():
        evidence.notes.append("No video: the context recorded none.")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
