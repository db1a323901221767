"""A local webhook receiver: an http.server on 127.0.0.1 that keeps every POST it gets."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """Keeps (path, raw body) of every POST; paths listed in `fail_first` answer 503 to their first POST."""

    def __init__(self, fail_first: tuple[str, ...] = ()) -> None:
        self.posts: list[tuple[str, bytes]] = []
        self.refused: list[str] = []
        self._fail_first = set(fail_first)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path in receiver._fail_first:
                    receiver._fail_first.discard(self.path)
                    receiver.refused.append(self.path)
                    self.send_response(503)
                else:
                    receiver.posts.append((self.path, body))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def bodies(self, path: str) -> list[dict[str, Any]]:
        """The JSON bodies posted to a path, oldest first."""
        return [json.loads(body) for p, body in self.posts if p == path]

    def wait_for(self, path: str, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        """Poll until `count` bodies reached `path` (or fail)."""
        deadline = time.monotonic() + timeout
        while len(self.bodies(path)) < count:
            assert time.monotonic() < deadline, f"{path}: {len(self.bodies(path))} of {count} posts came"
            time.sleep(0.05)  # polling a condition, with a deadline
        return self.bodies(path)

    def close(self) -> None:
        """Stop the server."""
        self._server.shutdown()
        self._server.server_close()
