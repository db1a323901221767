"""Remote browsers for the tests: Playwright's own browser server, a Chromium with a DevTools port, and a
127.0.0.1 proxy in front of the server that lets a WebSocket through only with the right Authorization header."""
from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from checkout_tester.run.browser import ensure_ffmpeg
from checkout_tester.target.config import DEBIAN_CHROMIUM
from tests.live.store_process import free_port

ROOT = Path(__file__).resolve().parents[2]
START_S = 120  # a loaded 2-core machine starts node and Chromium slowly
LAUNCH_OPTIONS = json.dumps({"executablePath": DEBIAN_CHROMIUM})  # run-server --unsafe honours it (TOOLCHAIN.md)


class LineProcess:
    """A process in its own process group whose output is read line by line; stopped with its whole group."""

    def __init__(self, args: list[str]) -> None:
        self.args, self.output = args, []  # type: list[str], list[str]
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.process: subprocess.Popen[str] | None = None

    def wait_for(self, pattern: str) -> re.Match[str]:
        """The first output line matching `pattern`, waited for up to START_S."""
        deadline = time.monotonic() + START_S
        while True:
            line = self._lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise RuntimeError(f"{self.args[0]} exited:\n" + "".join(self.output))
            found = re.search(pattern, line)
            if found:
                return found

    def __enter__(self) -> LineProcess:
        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)  # its browsers go with it on exit
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)  # the group this helper started, nothing else
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=20)
                break
            except subprocess.TimeoutExpired:
                continue


class RunServer(LineProcess):
    """`python -m playwright run-server --unsafe`: the browser server the Python package ships through its driver."""

    def __init__(self) -> None:
        self.port = free_port()
        super().__init__([sys.executable, "-m", "playwright", "run-server", "--port", str(self.port),
                          "--host", "127.0.0.1", "--unsafe"])

    def __enter__(self) -> RunServer:
        ensure_ffmpeg()  # the server records video with Playwright's ffmpeg: Debian's, linked in its place
        super().__enter__()
        self.wait_for(r"Listening on ws://")
        return self


class DevToolsChromium(LineProcess):
    """Debian's Chromium with `--remote-debugging-port=0`; its port read from "DevTools listening on ws://..."."""

    def __init__(self, profile: Path) -> None:
        super().__init__([DEBIAN_CHROMIUM, "--headless", "--no-sandbox", "--remote-debugging-port=0",
                          f"--user-data-dir={profile}", "about:blank"])
        self.endpoint = ""

    def __enter__(self) -> DevToolsChromium:
        super().__enter__()
        port = self.wait_for(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/").group(1)
        self.endpoint = f"http://127.0.0.1:{port}"
        return self


class AuthProxy:
    """Forwards WebSocket connections to `upstream` only when the upgrade carries `Authorization: Bearer <token>`."""

    def __init__(self, upstream: int, token: str) -> None:
        self.upstream, self.expected = upstream, f"bearer {token}"
        self.accepted, self.refused = 0, 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._open: list[socket.socket] = []

    def __enter__(self) -> AuthProxy:
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:  # a preflight's bare TCP check
                client.close()
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        if headers.get("authorization", "").lower() != self.expected.lower():
            self.refused += 1
            client.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            client.close()
            return
        self.accepted += 1
        upstream = socket.create_connection(("127.0.0.1", self.upstream))
        upstream.sendall(head)
        self._open += [client, upstream]
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
        _pipe(client, upstream)

    def drop_all(self) -> None:
        """Cut every connection through the proxy, as a network failure would."""
        for sock in self._open:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._open.clear()

    def __exit__(self, *exc: Any) -> None:
        self._server.close()
        self.drop_all()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def write_target(folder: Path, base_url: str, smtp_port: int, browser: dict[str, Any],
                 secrets: dict[str, Any] | None = None) -> Path:
    """A target for the store process (as tests/live does) whose browser is remote."""
    demo = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    target = {"name": "remote-demo", "base_url": base_url, "browser": browser, "timeouts": demo["timeouts"],
              "error_patterns": demo["error_patterns"],
              "secrets": {"SHOP_PASSWORD": {"env": "REMOTE_SHOP_PASSWORD", "default": "correct-horse-42"},
                          "CARD_NUMBER": {"env": "REMOTE_CARD_NUMBER", "default": "4242 4242 4242 4242"},
                          **(secrets or {})},
              "mail": {"sink": "smtp", "port": smtp_port}}
    path = folder / "remote.yaml"
    path.write_text(yaml.safe_dump(target, sort_keys=False), encoding="utf-8")
    return path


def files_containing(folder: Path, text: str) -> list[str]:
    """Every file under `folder` (members of zip archives too) whose bytes contain `text`."""
    needle, found = text.encode(), []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                found += [f"{path}:{name}" for name in archive.namelist() if needle in archive.read(name)]
        elif needle in path.read_bytes():
            found.append(str(path))
    return found
