"""The demo store as its own process (`checkout-tester store --port 0`), as a user starts it for a live run."""
from __future__ import annotations

import queue
import re
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from types import TracebackType

STARTUP_TIMEOUT_S = 120  # a loaded 2-core machine imports Flask slowly
URL_LINE = re.compile(r"^Demo store: (http://\S+)")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli() -> list[str]:
    """The `checkout-tester` command of this environment."""
    script = Path(sys.executable).with_name("checkout-tester")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from checkout_tester.cli.main import main; sys.exit(main())"]


class StoreProcess:
    """`checkout-tester store --port 0 --smtp-host 127.0.0.1 --smtp-port P [--fault F]`, read its URL, stop it."""

    def __init__(self, smtp_port: int, faults: tuple[str, ...] = ()) -> None:
        self.args = [*cli(), "store", "--port", "0", "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_port)]
        for fault in faults:
            self.args += ["--fault", fault]
        self.url = ""
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> StoreProcess:
        self._process = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        while not self.url:  # the store prints its URL once both servers accept connections
            line = self._lines.get(timeout=STARTUP_TIMEOUT_S)
            if line is None:
                raise RuntimeError("the store exited before printing its URL:\n" + "".join(self.output))
            match = URL_LINE.match(line)
            self.url = match.group(1) if match else ""
        with urllib.request.urlopen(self.url, timeout=30) as response:  # and it answers
            assert response.status == 200
        return self

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._process is not None:
            self._process.terminate()  # the store stops cleanly on SIGTERM
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
