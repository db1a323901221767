"""Timings reporter: a per-run record from engine events, then min/median/p95/max over repeats."""
from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import allure
from allure_commons.types import AttachmentType

from checkout_tester.base.redaction import Redactor
from checkout_tester.flow.budgets import Breach
from checkout_tester.run.events import (
    BudgetBreached,
    FlowFinished,
    FlowStarted,
    PageMeasured,
    RequestsAwaited,
    StepFinished,
    StepStarted,
)

PROPERTY = "checkout_timings"  # key of the run record in the pytest report's user_properties
PAGE_FIGURES = ("ttfb_ms", "dom_content_loaded_ms", "load_ms", "fcp_ms", "lcp_ms", "cls", "requests", "bytes")


class TimingRecorder:
    """Listener: keeps one run's step times, page metrics and budget breaches; marks degraded runs."""

    def __init__(self, item: Any = None, use_allure: bool = True, redactor: Redactor | None = None) -> None:
        self.item, self.use_allure = item, use_allure
        self.redactor = redactor or Redactor()  # a page URL may carry a typed secret (/search?q=...)
        self.record: dict[str, Any] = {}
        # A step's place in this run ("4", "4.2"): a sub-flow's own step numbers repeat per `use`.
        self._stack: list[list[Any]] = []
        self._top = 0

    def __call__(self, event: Any) -> None:
        if isinstance(event, FlowStarted):
            self.record = {"flow": event.flow.path, "name": event.flow.name, "variant": event.variant,
                           "step_times": [], "pages": [], "warnings": [], "failures": []}
            self._stack, self._top = [], 0
            repeat = getattr(self.item, "repeat_id", None)
            if repeat and self.use_allure:  # tells the repeats apart in Allure; stable, so history holds
                allure.dynamic.parameter("repeat", repeat)
        elif isinstance(event, StepStarted):
            if self._stack:
                self._stack[-1][1] += 1
                place = f"{self._stack[-1][0]}.{self._stack[-1][1]}"
            else:
                self._top += 1
                place = str(self._top)
            self._stack.append([event.place or place, 0, {}])  # the engine's number, the one messages use
        elif isinstance(event, StepFinished):
            place, _, extra = self._stack.pop() if self._stack else (event.step.index, 0, {})
            self.record["step_times"].append({"index": place, "title": event.title,
                                              "line": str(event.step.source), "status": event.status,
                                              "ms": round(event.duration_ms, 1), **extra})
        elif isinstance(event, RequestsAwaited):  # the XHR/fetch the step waited for
            if self._stack:
                self._stack[-1][2]["requests"] = event.requests
        elif isinstance(event, PageMeasured):
            place = event.place or (self._stack[-1][0] if self._stack else event.step.index)
            self.record["pages"].append({"step": place, **event.metrics})
        elif isinstance(event, BudgetBreached):
            breach: Breach = event.breach  # type: ignore[assignment]
            self.record["warnings" if breach.tier == "warn" else "failures"].append(breach.line())
        elif isinstance(event, FlowFinished):
            reading = sum(p.get("measure_ms", 0) for p in self.record["pages"])  # not the shopper's time
            self.record.update(status=event.status, total_ms=round(event.duration_ms - reading, 1),
                               steps=event.steps, actions=event.actions)
            self._publish()

    def _publish(self) -> None:
        text = json.dumps(self.redactor.deep(self.record), indent=2)
        if self.item is not None:
            self.item.user_properties.append((PROPERTY, text))
        if not self.use_allure:
            return
        allure.attach(text, name="timings", attachment_type=AttachmentType.JSON)
        if self.record["warnings"] and self.record["status"] == "passed":
            allure.dynamic.tag("degraded")
            allure.dynamic.label("degraded", "true")
            allure.attach("\n".join(self.record["warnings"]), name="timing budget warnings (degraded)",
                          attachment_type=AttachmentType.TEXT)


def records_of(report: Any) -> list[dict[str, Any]]:
    """The run records a pytest report carries."""
    return [json.loads(value) for key, value in getattr(report, "user_properties", ()) if key == PROPERTY]


def degraded_of(report: Any) -> str:
    """The budget warnings of a passed run, one per line ('' when not degraded)."""
    return "\n".join(w for r in records_of(report) for w in r.get("warnings", []))


def stats(values: Iterable[float | None]) -> dict[str, float] | None:
    """min, median, p95 (nearest rank) and max; None when nothing was measured."""
    data = sorted(v for v in values if v is not None)
    if not data:
        return None
    rank = max(1, -(-95 * len(data) // 100))  # nearest-rank: ceil(0.95 n)
    return {"n": len(data), "min": round(data[0], 3), "median": round(statistics.median(data), 3),
            "p95": round(data[rank - 1], 3), "max": round(data[-1], 3)}


def group_key(record: dict[str, Any]) -> str:
    """A flow variant, the same across its repeats."""
    return f"{record['flow']}[{record['variant']}]" if record.get("variant") else record["flow"]


def step_key(step: dict[str, Any]) -> str:
    """A step across repeats: its number and its file:line, not its title (which may hold an order number)."""
    return f"{step['index']} {step['line']}"


def page_key(page: dict[str, Any]) -> str:
    """A page by the step that loaded it and its path (the demo store's port changes between runs)."""
    parts = urlsplit(page.get("url", ""))
    return f"step {page['step']} {parts.path or '/'}{'?' + parts.query if parts.query else ''}"


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per flow variant: runs, flow total, actions, and stats per step and per page."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(group_key(record), []).append(record)
    flows: dict[str, Any] = {}
    for key, runs in groups.items():
        steps: dict[str, dict[str, Any]] = {}
        for run in runs:
            for step in run["step_times"]:
                entry = steps.setdefault(step_key(step), {
                    "index": step["index"], "title": step["title"], "line": step["line"], "ms": []})
                entry["ms"].append(step["ms"])
        pages: dict[str, dict[str, Any]] = {}
        for run in runs:
            for page in run["pages"]:
                entry = pages.setdefault(page_key(page), {"step": page["step"], "url": page_key(page).split(" ", 2)[2],
                                                          "kind": page.get("kind", "document"),
                                                          "method": page.get("method", "GET"),
                                                          **{f: [] for f in PAGE_FIGURES}})
                for figure in PAGE_FIGURES:
                    entry[figure].append(page.get(figure))
        flows[key] = {
            "name": runs[0]["name"], "runs": len(runs),
            "passed": sum(r.get("status") == "passed" for r in runs),
            "flaky": sum(bool(r.get("flaky")) for r in runs),  # passed on retry (pytest/retry.py)
            "degraded": sum(bool(r.get("warnings")) and r.get("status") == "passed" for r in runs),
            "flow_ms": stats(r.get("total_ms") for r in runs), "actions": stats(r.get("actions") for r in runs),
            "steps": [{**{k: v for k, v in s.items() if k != "ms"}, "ms": stats(s["ms"])} for s in steps.values()],
            "pages": [{"step": p["step"], "url": p["url"], "kind": p["kind"], "method": p["method"],
                       **{f: stats(p[f]) for f in PAGE_FIGURES}} for p in pages.values()],
            "warnings": sorted({w for r in runs for w in r.get("warnings", [])}),
        }
    return flows


def _ms(figures: dict[str, float] | None, key: str, cls: bool = False) -> str:
    if not figures:
        return "-"
    return f"{figures[key]:.3f}" if cls else f"{figures[key]:.0f}"


def table(summary: dict[str, Any]) -> list[str]:
    """A plain text table: one block per flow variant, one row per step and per page figure."""
    lines: list[str] = []
    head = f"  {'':<62} {'n':>3} {'min':>7} {'median':>7} {'p95':>7} {'max':>7}"
    for key, flow in summary.items():
        lines += [f"{key}  ({flow['runs']} run(s), {flow['passed']} passed, {flow['degraded']} degraded)", head]
        rows = [("flow total ms", flow["flow_ms"], False), ("actions", flow["actions"], False)]
        rows += [(f"step {s['index']} {s['title']}", s["ms"], False) for s in flow["steps"]]
        for page in flow["pages"]:
            for figure in ("ttfb_ms", "load_ms", "lcp_ms", "cls"):
                rows.append((f"page {page['url']} (step {page['step']}) {figure}", page[figure], figure == "cls"))
        for label, figures, cls in rows:
            label = label if len(label) <= 62 else label[:59] + "..."
            n = figures["n"] if figures else 0
            lines.append(f"  {label:<62} {n:>3} " + " ".join(f"{_ms(figures, k, cls):>7}"
                                                          for k in ("min", "median", "p95", "max")))
    return lines
