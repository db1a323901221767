"""The monitor's browser lanes: N threads, each owning one session; a run goes to whichever lane is free.

Playwright's sync objects belong to the thread that made them, so a session is started, used and closed on its
own lane's thread, never on another. A run that outlives its deadline cannot be stopped from outside its thread:
its lane is abandoned (its driver killed, so the calls it waits on fail) and a fresh lane takes its place.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future, TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from checkout_tester.monitor.runner import MonitorSession

log = logging.getLogger("checkout_tester.monitor")
REFILL_S = 30.0  # a run waiting for a lane retries opening lanes that could not start this often


class RunTimedOut(Exception):
    """A run did not end within the deadline; its lane was abandoned and replaced."""

    def __init__(self, deadline_s: float, started: float) -> None:
        super().__init__(f"the run did not end within {deadline_s:g} s (--run-timeout): its browser lane was "
                         "stopped and a fresh one took its place")
        self.started = started  # time.time() when the run started on its lane


@dataclass
class Job:
    """`fn(session, *args)`, its result, and when a lane took it."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    done: Future[Any] = field(default_factory=Future)
    started: threading.Event = field(default_factory=threading.Event)
    started_at: float = 0.0
    lane: Lane | None = None


@dataclass(eq=False)
class Lane:
    session: MonitorSession
    thread: threading.Thread | None = None
    abandoned: bool = False


class Lanes:
    """N sessions on N threads; `call(fn, *args)` runs `fn(session, *args)` on the first free one."""

    def __init__(self, sessions: Sequence[MonitorSession]) -> None:
        self.sessions = list(sessions)
        self.replaced = 0  # lanes abandoned after a run outlived its deadline
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._lanes: list[Lane] = []
        self._turn = threading.Lock()  # a run ending just as its deadline passes: finished or abandoned, not both
        self._refilling = threading.Lock()  # one caller opens missing lanes at a time
        self._stopping = False

    def start(self) -> None:
        """Start every lane's session (in parallel); the first error is raised after all lanes stop again."""
        started = [self._open(Lane(session)) for session in self.sessions]
        errors = [f.exception() for f in started]
        if any(errors):
            self.stop()
            raise next(e for e in errors if e is not None)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Job:
        """Queue `fn(session, *args)` for the next free lane."""
        job = Job(fn, args)
        self._jobs.put(job)
        return job

    def call(self, fn: Callable[..., Any], *args: Any, deadline_s: float = 0) -> Any:
        """`fn(session, *args)` on a free lane, its result or its error (None if the lanes closed before it
        started); RunTimedOut past `deadline_s` (0: none), counted from when a lane took it (a run queued behind
        busy lanes has not started yet)."""
        self._refill()
        job = self.submit(fn, *args)
        while not job.started.wait(REFILL_S):  # every lane busy, or none could start its browser: try again
            if self._stopping and job.done.cancel():
                return None  # the lanes are closing: it never started
            self._refill()
        try:
            return job.done.result(timeout=deadline_s or None)
        except FutureTimeout:
            with self._turn:
                if job.done.done():  # it ended just now
                    return job.done.result()
                lane = job.lane
                assert lane is not None
                lane.abandoned = True
            self._abandon(lane)
            raise RunTimedOut(deadline_s, job.started_at) from None

    def stop(self, timeout: float = 120) -> None:
        """Let each lane finish its run, then close its session on its own thread."""
        self._stopping = True
        alive = [lane.thread for lane in self._lanes if lane.thread is not None and lane.thread.is_alive()]
        for _ in alive:
            self._jobs.put(None)
        for thread in alive:
            thread.join(timeout)
        self._lanes.clear()

    def _refill(self) -> None:
        """Open lanes in place of missing ones: abandoned, or replacements that could not start their browser."""
        if not self._refilling.acquire(blocking=False):
            return  # another caller is opening them
        try:
            with self._turn:
                missing = 0 if self._stopping else len(self.sessions) - len(self._lanes)
            for _ in range(missing):
                self._open(Lane(self.sessions[0].fresh())).add_done_callback(_log_failed_start)
        finally:
            self._refilling.release()

    def _open(self, lane: Lane) -> Future[Any]:
        ready: Future[Any] = Future()
        with self._turn:
            lane.thread = threading.Thread(target=self._serve, args=(lane, ready), daemon=True,
                                           name=f"monitor-browser-{len(self._lanes) + self.replaced}")
            self._lanes.append(lane)
        lane.thread.start()
        return ready

    def _abandon(self, lane: Lane) -> None:
        """Kill the stuck lane's driver (its waiting calls then fail and its thread ends) and open a fresh lane."""
        log.error("a run on %s outlived its deadline: stopping that lane's browser driver, opening a fresh lane",
                  lane.thread.name if lane.thread else "a lane")
        with self._turn:
            self.replaced += 1
            if lane in self._lanes:
                self._lanes.remove(lane)
        lane.session.kill_driver()
        self._refill()

    def _serve(self, lane: Lane, ready: Future[Any]) -> None:
        session = lane.session
        try:
            session.start()
        except BaseException as exc:  # noqa: BLE001  handed to start(), which raises it
            with self._turn:
                if lane in self._lanes:
                    self._lanes.remove(lane)  # the next call opens another
            ready.set_exception(exc)
            self._close(session)
            return
        ready.set_result(None)
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                if not job.done.set_running_or_notify_cancel():
                    continue
                job.lane, job.started_at = lane, time.time()
                job.started.set()
                try:
                    result = job.fn(session, *job.args)
                except BaseException as exc:  # noqa: BLE001  the caller gets it
                    job.done.set_exception(exc)
                else:
                    job.done.set_result(result)
                with self._turn:
                    if lane.abandoned:  # its caller has gone on; a fresh lane serves the queue
                        return
        finally:
            self._close(session)

    @staticmethod
    def _close(session: MonitorSession) -> None:
        try:
            session.close()
        except Exception as exc:  # noqa: BLE001  a dead browser or driver: nothing left to close
            log.debug("closing a lane's session: %s", exc)


def _log_failed_start(ready: Future[Any]) -> None:
    if ready.exception() is not None:
        log.error("a fresh lane could not start its browser: %s", ready.exception())
