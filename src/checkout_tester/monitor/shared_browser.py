"""One Chromium for N flows in flight: launched by a keeper thread with a DevTools port, joined over CDP by each lane.

Playwright's sync objects belong to the thread (and driver) that made them, and the engine is synchronous, so N
flows in flight need N drivers. They share one browser: the keeper launches it (Playwright's own launch, so its
flags are Playwright's) with `--remote-debugging-port`, and each lane connects with `connect_over_cdp`, making its
own context per run. A browser that dies is launched again by the keeper when a lane next asks for it.
"""
from __future__ import annotations

import logging
import socket
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from playwright.sync_api import Browser, BrowserType, Error as PlaywrightError, Playwright, sync_playwright

from checkout_tester.monitor.runner import MonitorSession
from checkout_tester.run.browser import launch_options
from checkout_tester.run.relaunch import RelaunchingBrowser
from checkout_tester.target import browser_state as browserstate
from checkout_tester.target.config import Target

log = logging.getLogger("checkout_tester.monitor")
LISTEN_WAIT_S = 20.0  # a loaded machine: the DevTools port opens a moment after launch returns
LAUNCH_TRIES = 3  # a port picked free may be taken before Chromium binds it: pick another


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(endpoint: str, wait_s: float) -> bool:
    """Whether Chromium's DevTools HTTP endpoint answers within `wait_s` (polled: it opens after launch)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/json/version", timeout=5) as answer:
                return bool(answer.status == 200)
        except OSError:
            if time.monotonic() > deadline:
                return False
        time.sleep(0.05)  # sleep-ok: poll interval of the wait for the port to answer, bounded by the deadline above


class BrowserKeeper:
    """Owns the shared browser on a thread of its own; lanes ask it for the endpoint to connect to."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.launches = 0
        self.endpoint = ""
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-browser-keeper")
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def current(self, failed: str = "") -> str:
        """The endpoint of a live browser (launched first if none is); `failed`: that one did not answer a lane."""
        return self._thread.submit(self._ensure, failed).result()

    def close(self) -> None:
        """Close the browser and stop the keeper's driver (on its thread)."""
        try:
            self._thread.submit(self._close).result(timeout=120)
        finally:
            self._thread.shutdown(wait=True)

    def _ensure(self, failed: str) -> str:
        if self._playwright is None:
            self._playwright = sync_playwright().start()
        gone = self._browser is None or not self._browser.is_connected()
        if gone or (failed and failed == self.endpoint and not _answers(failed, 2.0)):
            self._launch()
        return self.endpoint

    def _launch(self) -> None:
        assert self._playwright is not None
        if self._browser is not None:
            log.warning("the shared browser is gone: launching it again")
            try:
                self._browser.close()
            except PlaywrightError:  # it is gone already
                pass
        chromium = self._playwright.chromium
        options = launch_options(self.target.browser, chromium.executable_path)
        for _ in range(LAUNCH_TRIES):
            endpoint = f"http://127.0.0.1:{_free_port()}"
            browser = chromium.launch(**{**options, "args": [*options["args"],
                                                               f"--remote-debugging-port={endpoint.rsplit(':', 1)[1]}"]})
            if _answers(endpoint, LISTEN_WAIT_S):
                self._browser, self.endpoint = browser, endpoint
                self.launches += 1
                return
            browser.close()
        raise RuntimeError(f"the shared browser did not open its DevTools port after {LAUNCH_TRIES} launches")

    def _close(self) -> None:
        if self._browser is not None:
            try:
                self._browser.close()
            except PlaywrightError:
                pass
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None


def connect(keeper: BrowserKeeper, chromium: BrowserType) -> Browser:
    """Join the shared browser over CDP; an endpoint that does not answer is launched again once."""
    endpoint = keeper.current()
    try:
        return chromium.connect_over_cdp(endpoint)
    except PlaywrightError as exc:
        log.warning("the shared browser at %s did not answer (%s): asking for a live one", endpoint,
                    str(exc).splitlines()[0])
        return chromium.connect_over_cdp(keeper.current(failed=endpoint))


class SharedBrowserSession(MonitorSession):
    """A lane's session: its own driver and CDP connection to the keeper's browser, a fresh context per run.

    Recycling (--recycle) reconnects: Playwright keeps a traced context's files with the connection that made it."""

    def __init__(self, keeper: BrowserKeeper, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self.keeper = keeper

    def start(self) -> SharedBrowserSession:
        """Start this lane's driver and connect to the shared browser (launched on first use)."""
        self._playwright = sync_playwright().start()
        chromium = self._playwright.chromium
        self._relaunching = RelaunchingBrowser(lambda: connect(self.keeper, chromium))
        self._browser = self._relaunching  # type: ignore[assignment]  # stands for a Browser
        browserstate.apply_testid(self._playwright, self.target)
        return self
