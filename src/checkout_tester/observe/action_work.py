"""Work an action starts is the action's: the XHR and fetch requests a step starts are waited for.

A click that updates the basket with fetch lasts until that request has finished (and whatever the
page starts right after it, in its next frames), so the time is the click's, not the next check's.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError, Page

WAITED_TYPES = frozenset({"xhr", "fetch"})  # not event streams, sockets or beacons: they never "finish"
FAILURE_POLL_MS = 100  # a failed request ends with `requestfailed`, which the finish wait does not see
# Resolves after two animation frames (what a response handler renders, and any request it starts
# next, happen by then); the timer bounds it where frames do not come (a hidden page).
NEXT_FRAMES_JS = """() => new Promise(done => { setTimeout(done, 100);
  requestAnimationFrame(() => requestAnimationFrame(() => done())); })"""


@dataclass
class Work:
    """One request a step started and waits for."""

    page: Page
    request: Any
    started: float
    ended: float | None = None
    failure: str = ""

    @property
    def ms(self) -> float:
        """How long it took (so far)."""
        return ((self.ended or time.perf_counter()) - self.started) * 1000

    def describe(self) -> str:
        """`POST http://h/api/basket (fetch) 1503 ms`."""
        state = f" failed: {self.failure}" if self.failure else ("" if self.ended else " (still running)")
        return f"{self.request.method} {self.request.url} ({self.request.resource_type}) {self.ms:.0f} ms{state}"

    def as_json(self) -> dict[str, Any]:
        """For the timings record of the step."""
        data = {"method": self.request.method, "url": self.request.url, "type": self.request.resource_type,
                "ms": round(self.ms, 1)}
        if self.failure or not self.ended:
            data["failed" if self.failure else "unfinished"] = self.failure or True
        return data


def _site(host: str | None) -> str:
    """The registrable part of a host, roughly: shop.example.com and api.example.com are one site."""
    host = host or ""
    parts = host.split(".")
    return host if host.replace(".", "").isdigit() or len(parts) <= 2 else ".".join(parts[-2:])


def first_party(request_url: str, page_url: str) -> bool:
    """The store's own API, not analytics or ads on another site (those are not the shopper's wait)."""
    return _site(urlsplit(request_url).hostname) == _site(urlsplit(page_url).hostname)


class ActionWork:
    """The XHR/fetch requests started since the last settle, on every watched page."""

    def __init__(self) -> None:
        self.window: list[Work] = []
        self.waited: list[Work] = []  # what the last settle waited for
        self._by_request: dict[int, Work] = {}

    def watch(self, page: Page) -> None:
        """Follow a page's (and its iframes') requests."""
        def on_request(request: Any) -> None:
            if request.resource_type in WAITED_TYPES and first_party(request.url, page.url):
                work = Work(page, request, time.perf_counter())
                self.window.append(work)
                self._by_request[id(request)] = work

        def on_end(request: Any, failed: bool) -> None:
            work = self._by_request.pop(id(request), None)
            if work is not None:
                work.ended = time.perf_counter()
                work.failure = (request.failure or "failed") if failed else ""

        page.on("request", on_request)
        page.on("requestfinished", lambda request: on_end(request, False))
        page.on("requestfailed", lambda request: on_end(request, True))

    def busy(self) -> list[Work]:
        """Requests of the window still running on open pages."""
        return [w for w in self.window if w.ended is None and not w.page.is_closed()]

    def wait(self, deadline: float) -> tuple[bool, float]:
        """Wait (until `deadline`) for the window's requests and what they start next; (waited?, overhead s)."""
        if not self.window:
            return False, 0.0
        overhead, checked = 0.0, 0
        while time.perf_counter() < deadline:
            busy = self.busy()
            if busy:
                self._wait_one(busy[0], deadline)
                continue
            if checked == len(self.window):
                break
            checked = len(self.window)
            began = time.perf_counter()
            for page in {id(w.page): w.page for w in self.window}.values():
                _next_frames(page)
            if len(self.window) == checked:  # nothing followed: those frames were our check, not the shopper's
                overhead += time.perf_counter() - began
        return True, overhead

    def _wait_one(self, work: Work, deadline: float) -> None:
        left = (deadline - time.perf_counter()) * 1000
        try:
            work.page.wait_for_event("requestfinished", predicate=lambda r: r is work.request,
                                     timeout=max(1.0, min(left, FAILURE_POLL_MS)))
        except PlaywrightError:  # not yet (failed, or still running): look again
            pass

    def reset(self) -> list[Work]:
        """Start the next step's window; returns what this one held."""
        done, self.window = self.window, []
        self.waited = done
        return done


def _next_frames(page: Page) -> None:
    try:
        if not page.is_closed():
            page.evaluate(NEXT_FRAMES_JS)
    except PlaywrightError:  # closed or navigating: nothing more to wait for there
        pass
