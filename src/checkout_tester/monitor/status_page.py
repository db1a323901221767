"""The status page: each flow's state, uptime, timing charts and latest failure, as one self-contained HTML file."""
from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from checkout_tester.monitor import status_charts
from checkout_tester.monitor.record import RunRecord

UPLOT_VERSION = "1.6.32"  # static/uPlot.iife.min.js and uPlot.min.css, from npm `uplot`, MIT (static/uPlot.LICENSE)
STATIC = Path(__file__).with_name("static")
UP = ("passed", "degraded", "flaky")  # flaky: a re-check after a failure passed; up, but shown
FAILED = ("failed", "broken")
STATES = {  # outcome -> (headline, words)
    "passed": ("Up", "the latest run passed"),
    "degraded": ("Degraded", "the latest run passed, over a timing budget"),
    "flaky": ("Flaky", "the latest run passed on a re-check after a failure"),
    "failed": ("Down", "the latest run failed"),
    "broken": ("Broken", "the latest run could not check the store (store or browser failed)"),
}
SEVERITY = {"broken": 0, "failed": 1, "flaky": 2, "degraded": 3, "passed": 4}
MESSAGE_LINES = 8
Budgets = Mapping[str, Mapping[str, float]]  # flow path -> metric -> limit in ms (see status_budgets)


def render(records: Sequence[RunRecord], budgets: Budgets | None = None, now: datetime | None = None,
           title: str = "checkout-tester status", refresh: int | None = None) -> str:
    """One HTML file (charting library, data and screenshots inlined) showing every flow variant's state.

    `refresh`: seconds after which a browser reloads the page (the monitor's live page); None for a file."""
    now = now or datetime.now(timezone.utc)
    groups: dict[str, list[RunRecord]] = {}
    for record in sorted(records, key=lambda r: r.started_at):
        groups.setdefault(record.key, []).append(record)
    flows = [_flow(key, runs, _budget_of(budgets or {}, runs[-1].flow), now) for key, runs in groups.items()]
    flows.sort(key=lambda f: (SEVERITY.get(f["state"], 0), f["key"]))
    counts = {state: sum(f["state"] == state for f in flows) for state in STATES}
    return _environment().get_template("status.html").render(
        title=title, generated=_when(now), flows=flows, counts=counts, states=STATES, total=len(records),
        charts=[chart for f in flows for chart in f["charts"]], uplot_js=_static_js(), uplot_css=_static("uPlot.min.css"),
        uplot_version=UPLOT_VERSION, refresh=refresh)


def status_app(history: Any, budgets: Budgets | None = None, title: str = "checkout-tester status",
               days: int = 7, refresh: int | None = 60) -> Callable[[], str]:
    """A callable the monitor's HTTP server calls for `/`: the last `days` of history, rendered now.

    `history`: a History (shared, left open) or a zero-argument factory of one (opened and closed per call)."""

    def page() -> str:
        now = datetime.now(timezone.utc)
        shared = hasattr(history, "runs") and not isinstance(history, type)
        store = history if shared else history()
        try:
            records = store.runs(since=now - timedelta(days=days))
        finally:
            if not shared:
                store.close()
        return render(records, budgets, now, title, refresh)

    return page


def _flow(key: str, runs: list[RunRecord], budget: Mapping[str, float], now: datetime) -> dict[str, Any]:
    latest = runs[-1]
    key_id = "f" + hashlib.sha1(key.encode()).hexdigest()[:10]
    failure = next((r for r in reversed(runs) if r.outcome in FAILED), None)
    return {"key": key, "id": key_id, "flow": latest.flow, "name": latest.flow_name, "variant": latest.variant,
            "location": latest.location, "target": latest.target, "state": latest.outcome,
            "headline": STATES.get(latest.outcome, (latest.outcome, ""))[0],
            "words": STATES.get(latest.outcome, ("", latest.outcome))[1], "runs": len(runs),
            "last_run": _when(latest.started_at), "uptime": [_uptime(runs, now, hours, label) for hours, label
                                                             in ((24, "24 h"), (24 * 7, "7 d"))],
            "warnings": latest.warnings if latest.outcome == "degraded" else [],
            "failure": _failure(failure) if failure else None,
            "charts": status_charts.charts(key_id, runs, budget)}


def _uptime(runs: list[RunRecord], now: datetime, hours: int, label: str) -> dict[str, Any]:
    """Share of the window's runs that passed (degraded and flaky count as up)."""
    since = now - timedelta(hours=hours)
    window = [r for r in runs if since < r.started_at <= now]
    up = sum(r.outcome in UP for r in window)
    flaky = sum(r.outcome == "flaky" for r in window)
    return {"label": label, "runs": len(window), "up": up, "flaky": flaky,
            "percent": uptime_text(up, len(window))}


def uptime_text(up: int, total: int) -> str:
    """`87.5%` (one decimal), or `-` without runs."""
    return f"{100 * up / total:.1f}%" if total else "-"


def _failure(record: RunRecord) -> dict[str, Any]:
    lines = [line for line in record.message.splitlines() if line.strip()]
    shown = "\n".join(lines[:MESSAGE_LINES]) + ("\n..." if len(lines) > MESSAGE_LINES else "")
    return {"when": _when(record.started_at), "outcome": record.outcome, "failure_class": record.failure_class,
            "message": shown, "failed_step": record.failed_step, "reproduce": record.reproduce,
            "screenshot": _screenshot(record.artifacts)}


def _screenshot(artifacts: Sequence[str]) -> str:
    """The first PNG among the artifacts that still exists, as a data: URL (masked when it was taken)."""
    for artifact in artifacts:
        path = Path(artifact)
        if path.suffix.lower() == ".png" and path.is_file():
            return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    return ""


def _budget_of(budgets: Budgets, flow: str) -> Mapping[str, float]:
    if flow in budgets:
        return budgets[flow]
    wanted = Path(flow).resolve()
    return next((limits for path, limits in budgets.items() if Path(path).resolve() == wanted), {})


def _when(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=PackageLoader("checkout_tester.monitor", "templates"),
                       autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=None)
def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _static_js() -> str:
    """uPlot, its banner (a link to its home) swapped for a note: the page names no outside host."""
    code = re.sub(r"\A/\*!.*?\*/", "", _static("uPlot.iife.min.js"), count=1, flags=re.S)
    return f"/* uPlot {UPLOT_VERSION}, MIT licence (checkout_tester/monitor/static/uPlot.LICENSE) */\n{code}"
