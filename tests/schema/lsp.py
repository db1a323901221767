"""A minimal Language Server Protocol client over stdio: enough to ask yaml-language-server what an editor shows."""
from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SERVER = REPO / ".tools" / "yaml-language-server" / "node_modules" / ".bin" / "yaml-language-server"
# As an editor would send them, minus anything that reaches the network: no schema store, and a proxy that
# refuses every connection on this machine should the server try anyway.
SETTINGS: dict[str, Any] = {
    "yaml": {"validate": True, "hover": True, "completion": True, "schemaStore": {"enable": False}, "schemas": {}},
    "http": {"proxy": "http://127.0.0.1:9", "proxyStrictSSL": True},
}


class YamlLanguageServer:
    """yaml-language-server --stdio, started for one test; `close()` ends it."""

    def __init__(self, root: Path) -> None:
        if not SERVER.exists():
            raise RuntimeError(f"{SERVER} is missing: run `make setup` (npm yaml-language-server into .tools/)")
        self.proc = subprocess.Popen([str(SERVER), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.replies: dict[int, Any] = {}
        self.next_id = 1
        self.pulls = 0  # times the server asked for its settings
        self.settings: dict[str, Any] = {section: dict(values) for section, values in SETTINGS.items()}
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                    "capabilities": {"workspace": {"configuration": True}}}, timeout=60)
        self.notify("initialized", {})
        self.configure()

    def configure(self, **yaml: Any) -> None:
        """Change `yaml.*` settings, as an editor does when the user edits them (the server pulls them back)."""
        self.settings["yaml"].update(yaml)
        pulled = self.pulls
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        # Documents opened before the server has the settings would be checked without them.
        self._pump(lambda: self.pulls > pulled, 30, "the server did not ask for its settings")

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.inbox.put(json.loads(out.read(length)))

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        """Send a notification."""
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        """Send a request and wait for its result, answering the server's own requests meanwhile."""
        ident, self.next_id = self.next_id, self.next_id + 1
        self._send({"id": ident, "method": method, "params": params})
        self._pump(lambda: ident in self.replies, timeout, f"no answer to {method}")
        return self.replies.pop(ident)

    def open(self, uri: str, text: str) -> None:
        """Open a document, as an editor does when a file is shown (the text need not be on disk)."""
        self.diagnostics.pop(uri, None)
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                              "text": text}})

    def diagnostics_for(self, uri: str, timeout: float = 60) -> list[dict[str, Any]]:
        """The diagnostics the server publishes for an opened document."""
        self._pump(lambda: uri in self.diagnostics, timeout, f"no diagnostics published for {uri}")
        return self.diagnostics[uri]

    def _pump(self, done: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{what} within {timeout:.0f} s")
            try:
                message = self.inbox.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            self._handle(message)

    def _handle(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method == "workspace/configuration":  # the server asks for settings by section
            items = message["params"]["items"]
            self._send({"id": message["id"], "result": [self.settings.get(i.get("section", "")) for i in items]})
            self.pulls += 1
        elif method is not None and "id" in message:
            self._send({"id": message["id"], "result": None})  # registrations and the like
        elif method == "textDocument/publishDiagnostics":
            self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
        elif "id" in message:
            self.replies[message["id"]] = message.get("result", message.get("error"))

    def close(self) -> None:
        """Ask the server to shut down, and end it if it does not."""
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except (TimeoutError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(timeout=10)
