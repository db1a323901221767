"""The monitor's schedule: one APScheduler job per flow, runs on the browser lanes (one run of a flow at a time),
rechecks sooner."""
from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Sequence

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor as JobExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from checkout_tester.base import failure_classes as classes
from checkout_tester.flow.model import Flow, Variant
from checkout_tester.monitor import outputs
from checkout_tester.monitor.lanes import Lanes, RunTimedOut
from checkout_tester.monitor.record import RunRecord
from checkout_tester.monitor.runner import MonitorSession
from checkout_tester.run import interrupts

log = logging.getLogger("checkout_tester.monitor")
Sink = Callable[[RunRecord], None]
RECHECK_SUFFIX = "#recheck"


@dataclass(frozen=True)
class Schedule:
    """The monitor's defaults: an interval or a cron line, and the recheck delay (0: none)."""

    every_s: float = 300.0
    cron: str | None = None
    recheck_s: float = 30.0
    run_timeout_s: float = 600.0  # a run still going after this is abandoned (0: never): a stuck driver or browser

    def trigger(self, flow: Flow) -> BaseTrigger:
        """The flow's own `monitor: {every}` wins over --cron and --every."""
        own = flow.monitor.every_s if flow.monitor is not None else None
        if own is None and self.cron:
            return CronTrigger.from_crontab(self.cron, timezone=timezone.utc)
        return IntervalTrigger(seconds=own or self.every_s, timezone=timezone.utc)

    def recheck(self, flow: Flow) -> float:
        """Seconds before a failed run is checked again (0: not at all)."""
        own = flow.monitor.recheck_s if flow.monitor is not None else None
        return self.recheck_s if own is None else own


class Monitor:
    """Runs flows on schedule until stopped; each finished run goes to every sink in order (history first)."""

    def __init__(self, session: MonitorSession | Sequence[MonitorSession], flows: Sequence[Flow], schedule: Schedule,
                 sinks: Sequence[Sink]) -> None:
        sessions = [session] if isinstance(session, MonitorSession) else list(session)
        self.session, self.flows, self.schedule, self.sinks = sessions[0], list(flows), schedule, list(sinks)
        self.runs = 0
        self.skipped: Counter[str] = Counter()  # job id -> ticks not started (the last run still going, or missed)
        self.interrupted = False  # a flow was stopped mid-run by Ctrl-C / SIGTERM (not stored)
        self.stopping = threading.Event()
        # Playwright's sync objects belong to the thread that made them: each session lives on its own lane.
        self.lanes = Lanes(sessions)
        self._by_path = {flow.path: flow for flow in self.flows}
        # a flow's tick and its recheck are two jobs: they take turns, so a flow never runs twice at once
        self._flow_turn = {flow.path: threading.Lock() for flow in self.flows}
        self._sink_turn = threading.Lock()  # lanes finish together; alert state and the log see one run at a time
        self.scheduler = BackgroundScheduler(
            executors={"default": JobExecutor(max_workers=2 * len(self.flows) + 2)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
            timezone=timezone.utc)
        self.scheduler.add_listener(self._skipped, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)

    def start(self) -> Monitor:
        """Start the lanes' browsers, then schedule every flow, the first runs right away."""
        self.lanes.start()
        now = datetime.now(timezone.utc)
        for flow in self.flows:
            self.scheduler.add_job(self._tick, self.schedule.trigger(flow), args=[flow.path], id=flow.path,
                                   name=flow.path, next_run_time=now)
        self.scheduler.start()
        return self

    def stop(self) -> None:
        """Let the running flows end, drop what is scheduled, close each lane's browser on its thread."""
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.lanes.stop(timeout=120)

    # --- jobs -----------------------------------------------------------------------------
    def _tick(self, path: str, only: tuple[str, ...] | None = None) -> None:
        """Run a flow's variants one at a time (a recheck: only those that failed), never beside its other job."""
        with self._flow_turn[path]:
            self._variants(path, only)

    def _variants(self, path: str, only: tuple[str, ...] | None) -> None:
        flow = self._by_path[path]
        failed: list[str] = []
        for variant in flow.variant_rows:
            if self._stopped():
                return
            if only is not None and variant.id not in only:
                continue
            record = self._run(flow, variant, recheck=only is not None)
            if record is not None and record.outcome in ("failed", "broken"):
                failed.append(variant.id)
        delay = self.schedule.recheck(flow)
        if failed and only is None and delay > 0 and not self._stopped():
            when = datetime.now(timezone.utc) + timedelta(seconds=delay)
            log.info("re-checking %s in %.0f s", flow.path, delay)
            self.scheduler.add_job(self._tick, DateTrigger(when, timezone=timezone.utc),
                                   args=[path, tuple(failed)], id=path + RECHECK_SUFFIX,
                                   name=path + RECHECK_SUFFIX, replace_existing=True)

    def _stopped(self) -> bool:
        return self.stopping.is_set() or bool(interrupts.requested())

    def _run_now(self, session: MonitorSession, flow: Flow, variant: Variant, recheck: bool) -> RunRecord | None:
        """On a lane's thread: a run queued behind one that saw the stop request does not start."""
        return None if self._stopped() else session.run_record(flow, variant, recheck)

    def _run(self, flow: Flow, variant: Variant, recheck: bool) -> RunRecord | None:
        try:
            record = self.lanes.call(self._run_now, flow, variant, recheck, deadline_s=self.schedule.run_timeout_s)
        except RunTimedOut as exc:  # recorded (broken) so that alerts and the history see it
            record = self.session.stuck_record(flow, variant, exc.started, str(exc), recheck)
        except Exception:  # noqa: BLE001  one bad run must not end weeks of monitoring
            log.exception("run of %s[%s] could not be recorded", flow.path, variant.id)
            return None
        if record is None:
            return None
        if record.failure_class == classes.INTERRUPTED or (self.stopping.is_set() and record.outcome == "broken"):
            # cut short by the stop (a signal to the whole group may take the browser down too): not a result
            self.interrupted = True
            log.warning("%s interrupted: %s", record.key, record.message.splitlines()[0] if record.message else "")
            return None
        with self._sink_turn:
            self.runs += 1
            for sink in self.sinks:
                try:
                    sink(record)
                except Exception:  # noqa: BLE001  a sink that fails is logged; the others still get the run
                    log.exception("output %s failed for run %s", getattr(sink, "__name__", sink), record.run_id)
            log.info(outputs.log_line(record))  # after the history has it: every logged run is stored
        return record

    def _skipped(self, event: JobEvent) -> None:
        """A tick that did not start: the last run of that flow was still going (or the scheduler woke late)."""
        self.skipped[event.job_id] += 1
        why = "its last run is still going" if event.code == EVENT_JOB_MAX_INSTANCES else "the scheduler was late"
        log.warning("skipped a run of %s: %s (%d skipped so far)", event.job_id, why, self.skipped[event.job_id])
