"""The monitor's browser lanes: N threads, each owning one session; a run goes to whichever lane is free.

Playwright's sync objects belong to the thread that made them, so a session is started, used and closed on its
own lane's thread, never on another.
"""
from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable, Sequence

from checkout_tester.monitor.runner import MonitorSession

log = logging.getLogger("checkout_tester.monitor")
Job = tuple[Callable[..., Any], tuple[Any, ...], "Future[Any]"]


class Lanes:
    """N sessions on N threads; `submit(fn, *args)` runs `fn(session, *args)` on the first free one."""

    def __init__(self, sessions: Sequence[MonitorSession]) -> None:
        self.sessions = list(sessions)
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start every lane's session (in parallel); the first error is raised after all lanes stop again."""
        started: list[Future[Any]] = []
        for number, session in enumerate(self.sessions):
            ready: Future[Any] = Future()
            thread = threading.Thread(target=self._serve, args=(session, ready), daemon=True,
                                      name=f"monitor-browser-{number}")
            thread.start()
            self._threads.append(thread)
            started.append(ready)
        errors = [f.exception() for f in started]
        if any(errors):
            self.stop()
            raise next(e for e in errors if e is not None)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Queue `fn(session, *args)` for the next free lane."""
        done: Future[Any] = Future()
        self._jobs.put((fn, args, done))
        return done

    def stop(self, timeout: float = 120) -> None:
        """Let each lane finish its run, then close its session on its own thread."""
        alive = [t for t in self._threads if t.is_alive()]
        for _ in alive:
            self._jobs.put(None)
        for thread in alive:
            thread.join(timeout)
        self._threads.clear()

    def _serve(self, session: MonitorSession, ready: Future[Any]) -> None:
        try:
            session.start()
        except BaseException as exc:  # noqa: BLE001  handed to start(), which raises it
            ready.set_exception(exc)
            self._close(session)
            return
        ready.set_result(None)
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                fn, args, done = job
                if not done.set_running_or_notify_cancel():
                    continue
                try:
                    done.set_result(fn(session, *args))
                except BaseException as exc:  # noqa: BLE001  the submitter gets it
                    done.set_exception(exc)
        finally:
            self._close(session)

    @staticmethod
    def _close(session: MonitorSession) -> None:
        try:
            session.close()
        except Exception as exc:  # noqa: BLE001  a dead browser or driver: nothing left to close
            log.debug("closing a lane's session: %s", exc)
