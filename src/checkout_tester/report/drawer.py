"""The drawing process: `python -m checkout_tester.report.drawer` reads one JSON request a line on stdin
({"id", "chart", "data"}), draws `charts.<chart>(data)` and writes {"id", "svg"} or {"id", "error"} a line.

A plain child process rather than multiprocessing: a spawned multiprocessing child imports the parent's main
script again, and a user's unguarded `run.py` calling pytest.main would then start a second run. It runs at
a lower priority and ignores Ctrl-C (the run handles it and closes stdin); it ends when stdin closes.
"""
from __future__ import annotations

import atexit
import itertools
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TextIO

NICE = 10  # the drawing process yields the CPU to the browser, the store and the flows
EXIT_WAIT_S = 5
CHARTS = ("waterfall_svg", "distribution_svg")


class Drawer:
    """The parent's side: requests go out through a writer thread (never blocking the flow), a reader
    thread resolves each request's Future."""

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])  # found by the child however this one found it
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        self._proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                      encoding="utf-8", env=env)
        self._ids = itertools.count()
        self._waiting: dict[int, Future[str]] = {}
        self._lock = threading.Lock()
        self._out: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._write, name="checkout-tester-drawer-in", daemon=True).start()
        threading.Thread(target=self._read, name="checkout-tester-drawer-out", daemon=True).start()
        atexit.register(self.close)

    def submit(self, chart: str, data: Any) -> Future[str]:
        """The picture, being drawn."""
        future: Future[str] = Future()
        number = next(self._ids)
        with self._lock:
            if self._proc.poll() is not None:
                future.set_exception(RuntimeError(f"the drawing process ended (exit {self._proc.returncode})"))
                return future
            self._waiting[number] = future
        self._out.put(json.dumps({"id": number, "chart": chart, "data": data}, default=str))
        return future

    def _write(self) -> None:
        stdin: TextIO = self._proc.stdin  # type: ignore[assignment]
        while (line := self._out.get()) is not None:
            try:
                stdin.write(line + "\n")
                stdin.flush()
            except (OSError, ValueError):  # the process is gone: the reader fails what is waiting
                break
        try:
            stdin.close()
        except OSError:
            pass

    def _read(self) -> None:
        for line in self._proc.stdout or ():
            try:
                answer = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                future = self._waiting.pop(answer.get("id"), None)
            if future is not None:
                if "svg" in answer:
                    future.set_result(answer["svg"])
                else:
                    future.set_exception(RuntimeError(answer.get("error", "no picture")))
        self._proc.wait()
        with self._lock:
            left, self._waiting = self._waiting, {}
        for future in left.values():
            future.set_exception(RuntimeError(f"the drawing process ended (exit {self._proc.returncode})"))

    def close(self) -> None:
        """No more pictures: the process ends once it has drawn what it was given."""
        self._out.put(None)
        try:
            self._proc.wait(timeout=EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def main() -> None:
    """The child's loop."""
    os.nice(NICE)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from checkout_tester.report import charts

    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["chart"] not in CHARTS:
                raise ValueError(f"no such picture: {request['chart']!r}")
            answer = {"id": request["id"], "svg": str(getattr(charts, request["chart"])(request["data"]))}
        except Exception as exc:  # noqa: BLE001 - the parent reports it in place of the picture
            answer = {"id": request["id"], "error": repr(exc)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
