"""Reading the windows after an action: error text, error markup, refused fields and broken images.

One `evaluate` per frame (scan_js.SCAN, installed in each document by the init script). Error markup is
judged by what changed: a message or an invalid field counts when its document was not showing it at the
previous scan, so a box that was there before the action and did not change is not blamed on it (a page
loaded anew is new, even with the same error on it). Pattern matches are reported once per page URL, broken
images once per image URL.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol, Sequence

from checkout_tester.base.findings import Finding
from checkout_tester.observe.scan_js import SCAN, SCAN_CALL
from checkout_tester.run.navigation import has_fired

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

    from checkout_tester.flow.detector_policy import DetectorSettings

TYPING = {"fill", "select", "check"}  # half-filled forms: a field flagged now is judged at the next action


class Detector(Protocol):
    """What a scan needs of the detector (observe.detectors.Detector): its settings, and where findings go."""

    settings: DetectorSettings
    patterns: list[Any]
    broken_urls: set[str]
    runner: Any

    def record(self, finding: Finding | None) -> None: ...


class PageScanner:
    """Scans every open window and frame for the detectors that read the page."""

    def __init__(self, detector: Detector) -> None:
        self.detector = detector
        self._seen_messages: set[tuple[str, str]] = set()  # error_messages: (frame URL, text), once per page
        self._showing: set[str] = set()  # error_markup: what showed at the previous scan
        self._images: set[str] = set()  # broken image URLs already reported

    def scan(self, page: Page, typing: bool = False, typed: Sequence[str] = ()) -> dict[str, str]:
        """Record what the windows show now; after typing, field errors wait for the next action.

        Returns where the `typed` values were found: "password" (a password field) or "field" (another)."""
        settings = self.detector.settings
        patterns = self.detector.patterns if settings.error_messages.policy != "ignore" else []
        opts = {"patterns": patterns, "markup": settings.error_markup.policy != "ignore",
                "images": settings.broken_assets.policy != "ignore", "typed": list(typed)}
        if not (patterns or opts["markup"] or opts["images"]):
            return {}
        showing: set[str] = set()
        where: dict[str, str] = {}
        for window in page.context.pages:  # popups too: a wallet window may show the error
            if not window.is_closed():
                self._scan_window(window, opts, showing, typing, where)
        if opts["markup"]:
            self._showing = showing
        return where

    def _scan_window(self, page: Page, opts: dict[str, Any], showing: set[str], typing: bool,
                     where: dict[str, str]) -> None:
        try:  # a window that was just opened may still be loading: wait for its document, not for time
            if not has_fired(page, "domcontentloaded"):
                page.wait_for_load_state("domcontentloaded", timeout=self.detector.runner.timeouts.ms("expect"))
        except Exception:
            return
        frames = page.frames
        for frame, found in zip(frames, evaluate_each(frames, SCAN_CALL, opts), strict=True):
            try:
                if isinstance(found, BaseException):
                    raise found
                found = found or frame.evaluate(SCAN, opts)
            except Exception:  # a frame mid-navigation or detached: nothing to read there now
                continue
            for value, place in zip(opts["typed"], found.get("typed") or [], strict=False):
                if place and where.get(value) != "password":
                    where[value] = place
            self._patterns(frame, found["patterns"])
            self._markup(frame, found["doc"], found["markup"], showing, typing)
            self._refused(frame, found["invalid"])
            self._broken_images(frame, page, found["images"])

    def _patterns(self, frame: Frame, hits: list[dict[str, Any]]) -> None:
        for hit in hits:
            key = (frame.url, hit["text"])
            if key not in self._seen_messages:
                self._seen_messages.add(key)
                self.detector.record(Finding("error_messages", "message", f"{hit['text']!r} in {hit['role']}",
                                             where=frame.url, extra={"pattern": hit["pattern"], "message": hit["text"]}))

    def _markup(self, frame: Frame, doc: str, hits: list[dict[str, Any]], showing: set[str], typing: bool) -> None:
        patterns_on = self.detector.settings.error_messages.policy != "ignore"
        for hit in hits:
            if hit["known"] and patterns_on:
                continue  # the error_messages detector reports text matching the patterns
            key = f"{doc}\n{hit['label']}\n{hit['text']}"  # doc: the document's performance.timeOrigin
            if typing and hit["field"]:
                continue  # a field flagged while the form is being filled in: judged at the next action
            showing.add(key)
            if key not in self._showing:
                self.detector.record(markup_finding(frame.url, hit))

    def _refused(self, frame: Frame, fields: list[dict[str, Any]]) -> None:
        for field in fields:
            label = f"field {field['label']!r}" if field["label"] else "a field"
            text = f"the browser refused the form: {label}: {field['text']!r} (HTML5 :invalid)"
            self.detector.record(Finding("error_markup", "message", text, where=frame.url,
                                         extra={"message": field["text"], "label": field["label"], "via": ":invalid"}))

    def _broken_images(self, frame: Frame, page: Page, images: list[dict[str, Any]]) -> None:
        for image in images:
            url = image["src"]
            if url in self._images or url in self.detector.broken_urls:
                continue  # reported already, or answered 4xx and came from the network
            self._images.add(url)
            alt = f" alt {image['alt']!r}" if image["alt"] else ""
            self.detector.record(Finding("broken_assets", "asset", f"image {url}{alt} has no size (it did not decode)"
                                         f" on {frame.url}", where=url, extra={"page": frame.url, "type": "image"}))


def evaluate_each(frames: list[Frame], expression: str, arg: Any) -> list[Any]:
    """One evaluate per frame, all sent at once: a page with a payment iframe waits one round trip, not two.
    Each result, or the exception that frame raised. (Playwright's sync API waits for each call in turn;
    its objects run coroutines of their async implementation, the `_impl_obj`, with `_sync`.)"""
    if len(frames) > 1 and all(hasattr(frame, "_impl_obj") for frame in frames):
        calls = [frame._impl_obj.evaluate(expression, arg) for frame in frames]
        return frames[0]._sync(asyncio.gather(*calls, return_exceptions=True))  # type: ignore[no-any-return]
    found: list[Any] = []
    for frame in frames:
        try:
            found.append(frame.evaluate(expression, arg))
        except Exception as exc:  # noqa: BLE001 - the caller decides; a detached frame is no error
            found.append(exc)
    return found


def markup_finding(url: str, hit: dict[str, Any]) -> Finding:
    """A finding for one message or invalid field the page marks up as an error."""
    text, label, via = hit["text"], hit["label"], hit["via"]
    if text and label:
        line = f"{text!r} at field {label!r} ({via})"
    elif text:
        line = f"{text!r} ({via})"
    else:
        line = f"field {label!r} is marked as an error ({via})"
    return Finding("error_markup", "message", line, where=url,
                   extra={"message": text, "label": label, "via": via})
