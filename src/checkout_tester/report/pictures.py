"""Timing pictures drawn off the flow's clock, by a drawing process (report/drawer.py).

A waterfall costs ~0.2 s of CPU (the first one ~0.7 s more: matplotlib's import). A process of its own, at a
lower priority, draws it while the next flow runs, which mostly waits on its store (a thread would hold the
interpreter's lock while the flow's browser calls wait for it). Its Allure attachment is listed in the test
when the flow ends and its file written once drawn; `wait()` at the session's end sees every file written
before anything reads the results. Each picture is drawn once per data it shows (summary.html asks for the
pictures Allure got). Where the process cannot start, pictures are drawn here.
"""
from __future__ import annotations

import hashlib
import html
import json
import warnings
from concurrent.futures import Future
from pathlib import Path
from typing import Any

UNDRAWN = ("actions", "attempt", "steps", "flaky")  # run-record keys no picture shows
MEMO = 64  # pictures kept for reuse

results_dir: Path | None = None  # the session's Allure results (set by the pytest plugin)
relay = False  # an xdist worker: its pictures are drawn by the controlling process (one drawer per run)
PROPERTY = "checkout_picture"  # how a worker hands a picture to draw over, in the report's user_properties
_drawer: Any = None
_drawn: dict[str, Future[str]] = {}
_writes: list[Future[None]] = []
_relayed: list[str] = []  # this worker's pictures not handed over yet
_filed: set[str] = set()  # the Allure files this process draws (a report repeats its properties)


def _submit(chart: str, data: Any) -> Future[str]:
    global _drawer
    if _drawer is None:
        from checkout_tester.report.drawer import Drawer

        try:
            _drawer = Drawer()
        except OSError:  # no process to be had: draw in this one
            _drawer = False
    if _drawer:
        return _drawer.submit(chart, data)  # type: ignore[no-any-return]
    future: Future[str] = Future()
    try:
        future.set_result(_draw(chart, data))
    except Exception as exc:  # noqa: BLE001 - reported where the picture would be
        future.set_exception(exc)
    return future


def _draw(chart: str, data: Any) -> str:
    from checkout_tester.report import charts

    return str(getattr(charts, chart)(data))


def picture(chart: str, data: Any) -> Future[str]:
    """The SVG of `charts.<chart>(data)`, being drawn (or drawn already for the same data, here or by another
    process of the session into the Allure results: the xdist controller's summary.html reuses the workers')."""
    key = _key(chart, data)
    if key not in _drawn:
        if len(_drawn) >= MEMO:
            _drawn.clear()
        _drawn[key] = _from_results(key) or _submit(chart, data)
    return _drawn[key]


def _key(chart: str, data: Any) -> str:
    shown = {k: v for k, v in data.items() if k not in UNDRAWN} if isinstance(data, dict) else data
    return chart + json.dumps(shown, sort_keys=True, default=str)


def _name(key: str) -> str:
    """The picture's Allure attachment name stem: the same picture has the same file in every process."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _from_results(key: str) -> Future[str] | None:
    if results_dir is None:
        return None
    try:
        svg = (results_dir / f"{_name(key)}-attachment.svg").read_text(encoding="utf-8")
    except OSError:
        return None
    found: Future[str] = Future()
    found.set_result(svg)
    return found


def drawn(chart: str, data: Any) -> str:
    """The SVG of `charts.<chart>(data)`, waiting for it."""
    return picture(chart, data).result()


def attach_later(chart: str, data: Any, name: str) -> None:
    """Attach the picture to the running Allure test now; its file is written when it is drawn."""
    import allure
    from allure_commons.types import AttachmentType

    reporter = _allure_reporter()
    try:
        file_name = reporter._attach(_name(_key(chart, data)), name=name, attachment_type=AttachmentType.SVG)
    except Exception:  # noqa: BLE001 - no allure-pytest reporter, or one without _attach: attach when drawn
        allure.attach(picture(chart, data).result(), name=name, attachment_type=AttachmentType.SVG)
        return
    if relay:  # drawn by the controlling process into the same results folder (draw_file)
        _relayed.append(json.dumps({"chart": chart, "file": file_name, "data": data}, default=str))
        return
    draw_file(chart, data, file_name)


def take_relayed() -> list[str]:
    """This worker's pictures to hand over (JSON), each once."""
    taken, _relayed[:] = list(_relayed), []
    return taken


def draw_file(chart: str, data: Any, file_name: str) -> None:
    """Draw the picture into the Allure results' `file_name` (once); wait() sees it written."""
    if file_name in _filed:
        return
    _filed.add(file_name)
    drawing = picture(chart, data)
    written: Future[None] = Future()

    def write(done: Future[str]) -> None:  # in the pool's thread, or here when drawn already
        try:
            _write(done, file_name)
            written.set_result(None)
        except Exception as exc:  # noqa: BLE001 - wait() reports it
            written.set_exception(exc)

    _writes.append(written)
    drawing.add_done_callback(write)


def _write(drawing: Future[str], file_name: str) -> None:
    from allure_commons import plugin_manager

    try:
        body = drawing.result()
    except Exception as exc:  # noqa: BLE001 - the report says so rather than showing a missing file
        body = ('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="40"><text x="8" y="24">'
                f"the picture could not be drawn: {html.escape(repr(exc))}</text></svg>")
    plugin_manager.hook.report_attached_data(body=body, file_name=file_name)


def _allure_reporter() -> Any:
    """allure-pytest's reporter (allure_commons.reporter.AllureReporter), if its plugin is registered."""
    from allure_commons import plugin_manager

    for plugin in plugin_manager.get_plugins():
        reporter = getattr(plugin, "allure_logger", None)
        if reporter is not None:
            return reporter
    return None


def wait() -> None:
    """Every picture attached so far is drawn and its file written (a file that could not be: a warning)."""
    while _writes:
        try:
            _writes.pop(0).result()
        except Exception as exc:  # noqa: BLE001 - one lost picture must not lose the session's results
            warnings.warn(f"a timing picture could not be written to the Allure results: {exc!r}", stacklevel=1)
