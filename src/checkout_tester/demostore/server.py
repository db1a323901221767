"""DemoStore: runs the shop and the WalletPay gateway as real threaded HTTP servers."""
from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import tempfile
import threading
from types import TracebackType
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from checkout_tester.demostore.app import create_app
from checkout_tester.demostore.db import Database
from checkout_tester.demostore.faults import FaultSet
from checkout_tester.demostore.mail import Mailer
from checkout_tester.demostore.wallet import create_wallet_app
from checkout_tester.demostore.web import StoreContext

logger = logging.getLogger("checkout_tester.demostore")


class QuietRequestHandler(WSGIRequestHandler):
    """Request log lines go to our logger at DEBUG instead of werkzeug's stderr handler."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log one request line at DEBUG."""
        logger.debug('%s "%s" %s %s', self.address_string(), self.requestline, code, size)

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - werkzeug's signature
        """Route werkzeug's own messages to our logger."""
        logger.log(logging.ERROR if type == "error" else logging.DEBUG, message, *args)


def _public_host(host: str) -> str:
    """Host to put in URLs: wildcard binds are reached through loopback."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class DemoStore:
    """A small real web shop plus a separate-origin wallet gateway, for checkout testing."""

    def __init__(
        self,
        port: int = 0,
        wallet_port: int = 0,
        faults: list[str] | None = None,
        smtp_host: str | None = None,
        smtp_port: int | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.host = host
        self.port = port
        self.wallet_port = wallet_port
        self._faults = FaultSet(faults)  # raises ValueError listing valid faults
        self.mailer = Mailer(smtp_host, smtp_port)
        self.admin_token = secrets.token_urlsafe(24)
        self._servers: list[BaseWSGIServer] = []
        self._threads: list[threading.Thread] = []
        self._tmpdir: str | None = None
        self.db: Database | None = None
        self.app: Flask | None = None
        self.wallet_app: Flask | None = None

    # -- faults and mail --------------------------------------------------

    @property
    def faults(self) -> list[str]:
        """Active faults in canonical form."""
        return self._faults.names

    def set_faults(self, faults: list[str] | None) -> None:
        """Replace the active faults (raises ValueError on an unknown one)."""
        self._faults.set(faults)

    def reset(self) -> None:
        """Forget shoppers, carts, orders, tickets and sent mail; restock the catalog."""
        if self.db is None:
            raise RuntimeError("DemoStore is not running")
        self.db.reset()
        self.mailer.clear()

    @property
    def sent_mail(self) -> list[dict[str, str]]:
        """Every mail the store sent, as {to, subject, body}."""
        return self.mailer.sent

    # -- URLs ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the shop, e.g. 'http://127.0.0.1:8000'."""
        return f"http://{_public_host(self.host)}:{self.port}"

    @property
    def wallet_url(self) -> str:
        """Base URL of the WalletPay gateway (a different origin)."""
        return f"http://{_public_host(self.host)}:{self.wallet_port}"

    @property
    def running(self) -> bool:
        """Whether start() has run and stop() has not."""
        return bool(self._servers)

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> DemoStore:
        """Start both servers; returns once they accept connections."""
        if self._servers:
            raise RuntimeError("DemoStore is already running")
        self._tmpdir = tempfile.mkdtemp(prefix="demostore-")
        try:
            self.db = Database(os.path.join(self._tmpdir, "store.sqlite3"))
            self.db.init()
            self.wallet_app = create_wallet_app(self._faults)
            wallet_server = self._serve(self.wallet_app, self.wallet_port)
            self.wallet_port = wallet_server.port
            context = StoreContext(self.db, self._faults, self.mailer, self.admin_token, self.wallet_url)
            self.app = create_app(context)
            shop_server = self._serve(self.app, self.port)
            self.port = shop_server.port
            for server in self._servers:
                # the socket listens already; this proves it before returning
                with socket.create_connection((str(server.host), server.port), timeout=5):
                    pass
        except BaseException:
            self.stop()
            raise
        logger.debug("Demo store at %s, wallet at %s, faults: %s", self.url, self.wallet_url,
                    ", ".join(self.faults) or "none")
        return self

    def _serve(self, app: Flask, port: int) -> BaseWSGIServer:
        """Bind a threaded server for APP and run it in a daemon thread."""
        # bind ourselves: werkzeug calls sys.exit() when a port is taken, we want an OSError
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.create_server((self.host, port), family=family, backlog=128)
        try:
            server = make_server(self.host, sock.getsockname()[1], app, threaded=True,
                                 request_handler=QuietRequestHandler, fd=sock.fileno())
        finally:
            sock.close()  # the server holds its own duplicate of the socket
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  name=f"demostore-{server.port}", daemon=True)
        try:
            thread.start()
        except BaseException:
            server.server_close()
            raise
        # only servers whose loop runs go in the list: shutdown() waits for that loop
        self._servers.append(server)
        self._threads.append(thread)
        return server

    def stop(self) -> None:
        """Shut both servers down and delete the temporary database."""
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> DemoStore:
        """Start on entering a with-block."""
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop on leaving a with-block."""
        self.stop()

    def __repr__(self) -> str:
        """URLs, faults and state, for debugging."""
        state = "running" if self.running else "stopped"
        return f"<DemoStore {self.url} wallet={self.wallet_url} faults={self.faults} {state}>"
