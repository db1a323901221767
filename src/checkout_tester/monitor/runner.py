"""One monitored run: a fresh context on the kept browser, traced, turned into a RunRecord with its evidence."""
from __future__ import annotations

import copy
import logging
import os
import shlex
import shutil
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import psutil
from playwright.sync_api import BrowserContext, Error as PlaywrightError, Page, sync_playwright

from checkout_tester.base import failure_classes as classes
from checkout_tester.base.redaction import Redactor, scrub_zip
from checkout_tester.flow.model import Flow, Variant
from checkout_tester.monitor import retention
from checkout_tester.monitor.record import RecordBuilder, RunRecord
from checkout_tester.monitor.settings import ARTIFACTS, RECYCLE
from checkout_tester.run import remote
from checkout_tester.run.events import Listener
from checkout_tester.run.interrupts import FlowInterrupted
from checkout_tester.run.relaunch import RelaunchingBrowser
from checkout_tester.session import Session, new_runner
from checkout_tester.target import browser_state as browserstate
from checkout_tester.target.config import Target

log = logging.getLogger("checkout_tester.monitor")
FLOW_SUFFIX = ".flow.yaml"
_PRUNING = threading.Lock()  # lanes finishing together prune one at a time


def test_id(flow: Flow, variant: Variant) -> str:
    """The variant's pytest id, as `checkout-tester run` collects it: flows/x.flow.yaml::x[variant]."""
    path = Path(flow.path)
    shown = Path(os.path.relpath(path)).as_posix() if path.is_absolute() else path.as_posix()
    base = path.name.removesuffix(FLOW_SUFFIX)
    return f"{shown}::{base}[{variant.id}]" if variant.id else f"{shown}::{base}"


def reproduce_command(flow: Flow, variant: Variant, target_path: str, program: str = "checkout-tester") -> str:
    """`checkout-tester run 'flows/x.flow.yaml::x[row]' --target=config/t.yaml`: this variant alone, verbatim."""
    return shlex.join([program, "run", test_id(flow, variant), f"--target={target_path}"])


class MonitorSession(Session):
    """A Session whose browser comes back after a crash, and whose runs end as RunRecords with kept evidence."""

    def __init__(self, target: Target, base_url: str, location: str, target_path: str,
                 listeners: Sequence[Listener] = (), artifacts: str | Path = ARTIFACTS, mail: Any = None,
                 keep_days: float | None = None, keep_mb: float | None = None, recycle: int = RECYCLE) -> None:
        super().__init__(target, base_url, listeners=listeners, artifacts=artifacts, mail=mail)
        self.location, self.target_path = location, target_path
        self.keep_days, self.keep_mb = keep_days, keep_mb
        self.recycle, self._since_launch = recycle, 0  # runs per browser (0: keep it as long as it lives)
        self._relaunching: RelaunchingBrowser | None = None

    def start(self) -> MonitorSession:
        """Start the driver and the browser; a browser that dies is launched again at the next run."""
        self._playwright = sync_playwright().start()
        self._relaunching = RelaunchingBrowser(remote.starter(self._playwright, self.target))  # or reconnected
        self._browser = self._relaunching  # type: ignore[assignment]  # stands for a Browser
        browserstate.apply_testid(self._playwright, self.target)
        return self

    def fresh(self) -> MonitorSession:
        """A session like this one, not started: for a lane opened in place of an abandoned one."""
        clone = copy.copy(self)
        clone._playwright, clone._browser, clone._relaunching, clone._since_launch = None, None, None, 0
        return clone

    def kill_driver(self) -> None:
        """From any thread: kill this session's Playwright driver and what it started (its browser, when it launched
        one). The calls its lane waits on then fail, so a stuck lane's thread can end."""
        pid = driver_pid(self._playwright)
        if pid is None:
            log.warning("the stuck lane's driver was not found: its thread is left behind")
            return
        try:
            driver = psutil.Process(pid)
            processes = [*driver.children(recursive=True), driver]
        except psutil.Error:
            return  # gone already
        for process in processes:
            try:
                process.kill()
            except psutil.Error:
                pass

    @property
    def launches(self) -> int:
        """How many times a browser was launched (1 + relaunches after crashes)."""
        return self._relaunching.launches if self._relaunching is not None else 0

    def redactor(self) -> Redactor:
        """A redactor that already knows every secret of the target (a message may quote one before it is typed)."""
        return Redactor(self.target.secret_values())

    def run_record(self, flow: Flow, variant: Variant, recheck: bool = False) -> RunRecord:
        """Run one variant in a fresh traced context; evidence is kept only when it did not pass."""
        if self.recycle and self._since_launch >= self.recycle and self._relaunching is not None:
            # Playwright keeps every traced context's files (and their screencast frames) until the browser
            # closes: a browser kept for weeks would fill the disk and grow the driver.
            self._relaunching.relaunch()
            self._since_launch = 0
        self._since_launch += 1
        run_id = uuid.uuid4().hex
        folder = self.artifacts / run_id
        redactor = self.redactor()
        builder = RecordBuilder(self.location, self.target.name, redactor)
        started = datetime.now(timezone.utc)
        context: BrowserContext | None = None
        page: Page | None = None
        try:
            context = self.browser.new_context(**self.context_args(), **browserstate.context_args(self.target, flow))
            context.tracing.start(screenshots=True, snapshots=True)
            page = context.new_page()
            runner = new_runner(page, self.target, self.mail, listeners=[builder, *self.listeners], artifacts=folder,
                                base_url=self.base_url, redactor=redactor,
                                reproduce=reproduce_command(flow, variant, self.target_path))
            runner.run(flow, variant)
        except FlowInterrupted:
            pass  # the builder's record says interrupted; the monitor does not store it
        except Exception as exc:  # noqa: BLE001  the record carries it; the monitor goes on
            if builder.record is None:  # the browser died before the flow started
                builder.record = _broken(flow, variant, self.location, self.target.name, started, exc, redactor)
        record = builder.record
        assert record is not None
        record.run_id, record.recheck = run_id, recheck
        record.reproduce = reproduce_command(flow, variant, self.target_path)
        if recheck and record.outcome in ("passed", "degraded"):
            record.outcome = "flaky"  # a failure that went away is never silently green
        keep = record.outcome not in ("passed", "degraded", "flaky") and record.failure_class != classes.INTERRUPTED
        self._close(context, page, folder if keep else None, redactor)
        if keep and folder.is_dir():
            record.artifacts = sorted(p.as_posix() for p in folder.rglob("*") if p.is_file())
            with _PRUNING:
                retention.prune(self.artifacts, self.keep_days, self.keep_mb, spare=folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)  # a step's own screenshots of a passing run are not evidence
        return record

    def stuck_record(self, flow: Flow, variant: Variant, started: float, why: str, recheck: bool) -> RunRecord:
        """The record of a run abandoned past its deadline (`started`: time.time() when its lane took it)."""
        record = _broken_record(flow, variant, self.location, self.target.name,
                                datetime.fromtimestamp(started, timezone.utc),
                                f"the browser stopped answering: {why}", classes.BROWSER_CRASHED)
        record.run_id, record.recheck = uuid.uuid4().hex, recheck
        record.reproduce = reproduce_command(flow, variant, self.target_path)
        return record

    def _close(self, context: BrowserContext | None, page: Page | None, folder: Path | None,
               redactor: Redactor) -> None:
        """Keep a screenshot and the trace when `folder` is given, then close the context; a dead browser is fine."""
        if context is None:
            return
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            try:
                if page is not None and not page.is_closed():
                    page.screenshot(path=str(folder / "screenshot.png"), timeout=5000)
            except Exception as exc:  # noqa: BLE001  a crashed page has nothing to show
                log.debug("no screenshot: %s", exc)
        try:
            if folder is not None:
                context.tracing.stop(path=str(folder / "trace.zip"))
                scrub_zip(folder / "trace.zip", redactor)
            else:
                context.tracing.stop()
        except Exception as exc:  # noqa: BLE001  the browser is gone: there is no trace to save
            log.debug("no trace: %s", exc)
        try:
            context.close()
        except Exception as exc:  # noqa: BLE001
            log.debug("context already closed: %s", exc)


def driver_pid(playwright: Any) -> int | None:
    """The pid of a sync Playwright's driver process (private attributes, checked: None where they differ)."""
    manager = getattr(getattr(playwright, "stop", None), "__self__", None)  # start() binds stop to the manager
    for holder in (getattr(manager, "_client", None), getattr(manager, "_connection", None)):
        process = getattr(getattr(holder, "_transport", None), "_proc", None)
        pid = getattr(process, "pid", None)
        if isinstance(pid, int):
            return pid
    return None


def _broken(flow: Flow, variant: Variant, location: str, target: str, started: datetime, exc: BaseException,
            redactor: Redactor) -> RunRecord:
    """A run that never reached its first step (no browser context, or none could be made for this flow)."""
    if isinstance(exc, PlaywrightError):
        message, failure_class = redactor(f"the browser gave no page: {exc}"), classes.BROWSER_CRASHED
    else:  # e.g. the flow's storage_state file is missing
        message = redactor(str(exc))
        failure_class = classes.class_of(exc) or classes.classify(message)
    return _broken_record(flow, variant, location, target, started, message, failure_class)


def _broken_record(flow: Flow, variant: Variant, location: str, target: str, started: datetime, message: str,
                   failure_class: str) -> RunRecord:
    return RunRecord(flow=str(flow.path), flow_name=flow.name, variant=variant.id, location=location, target=target,
                     started_at=started, outcome="broken", failure_class=failure_class, message=message,
                     duration_ms=round((datetime.now(timezone.utc) - started).total_seconds() * 1000, 1))
