"""Chart data of the status page: flow, step and page timings over time, with their budget lines (uPlot's shape)."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from checkout_tester.monitor.record import RunRecord

MAX_POINTS = 240  # per chart: the page is served live, and a 7-day chart is ~500 px wide anyway
PALETTE = ("#2563eb", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#9333ea",
           "#ea580c", "#0d9488", "#4f46e5", "#be123c")
BUDGET_COLOURS = {"warn": "#d97706", "fail": "#dc2626"}
# chart -> the budget metrics drawn on it; page figures are the slowest page of each run, as budgets apply per page
PAGE_FIGURES = (("ttfb_ms", "TTFB", "ttfb"), ("lcp_ms", "LCP", "lcp"), ("load_ms", "page load", "page_load"))

Budget = Mapping[str, float]  # metric -> limit in ms ("step": warn tier, "step:fail": fail tier)


def charts(key_id: str, runs: Sequence[RunRecord], budget: Budget) -> list[dict[str, Any]]:
    """The charts of one flow variant at one location; `runs` oldest first."""
    rows = [r.started_at.timestamp() for r in runs]
    made = [_chart(f"{key_id}-flow", "Flow time (ms)", rows,
                   [("flow", PALETTE[0], [r.duration_ms for r in runs])], budget, ("flow",)),
            _chart(f"{key_id}-steps", "Step times (ms)", rows, _step_series(runs), budget, ("step",)),
            _chart(f"{key_id}-pages", "Slowest page per run (ms)", rows, _page_series(runs), budget,
                   tuple(metric for _, _, metric in PAGE_FIGURES))]
    return [chart for chart in made if len(chart["series"]) > len(_budget_lines(chart))]


def _step_series(runs: Sequence[RunRecord]) -> list[tuple[str, str, list[float | None]]]:
    labels: dict[str, None] = {}
    values: list[dict[str, float]] = []
    for run in runs:
        here: dict[str, float] = {}
        for step in run.steps:
            index = str(step.get("index", ""))
            if "." in index or step.get("ms") is None:  # nested steps are inside their parent's time
                continue
            label = _short(f"{index} {step.get('title', '')}".strip())
            labels.setdefault(label)
            here[label] = float(step["ms"])
        values.append(here)
    return [(label, PALETTE[(i + 1) % len(PALETTE)], [v.get(label) for v in values])
            for i, label in enumerate(labels)]


def _short(label: str, most: int = 42) -> str:
    return label if len(label) <= most else label[:most - 1] + "…"


def _page_series(runs: Sequence[RunRecord]) -> list[tuple[str, str, list[float | None]]]:
    series = []
    for i, (field, label, _) in enumerate(PAGE_FIGURES):
        ys = [_max(page.get(field) for page in run.pages) for run in runs]
        if any(y is not None for y in ys):
            series.append((label, PALETTE[(i + 3) % len(PALETTE)], ys))
    return series


def _max(values: Iterable[Any]) -> float | None:
    numbers = [float(v) for v in values if isinstance(v, (int, float))]
    return max(numbers) if numbers else None


def _chart(chart_id: str, title: str, xs: list[float], series: list[tuple[str, str, list[float | None]]],
           budget: Budget, metrics: tuple[str, ...]) -> dict[str, Any]:
    xs, columns = downsample(xs, [ys for _, _, ys in series])
    described = [{"label": label, "colour": colour, "budget": False} for label, colour, _ in series]
    for metric in metrics if series else ():
        for tier, suffix in (("warn", ""), ("fail", ":fail")):
            limit = budget.get(metric + suffix)
            if limit is not None:
                described.append({"label": f"{metric} budget ({tier}) {round(limit)} ms",
                                  "colour": BUDGET_COLOURS[tier], "budget": True})
                columns.append([float(limit)] * len(xs))
    return {"id": chart_id, "title": title, "series": described, "data": [xs, *columns]}


def _budget_lines(chart: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in chart["series"] if s["budget"]]


def downsample(xs: list[float], columns: list[list[float | None]], limit: int = MAX_POINTS,
               pick: Callable[[list[float]], float] = max) -> tuple[list[float], list[list[float | None]]]:
    """At most `limit` points: runs merged in buckets, each keeping its last time and its worst value per series."""
    if len(xs) <= limit:
        return list(xs), [list(c) for c in columns]
    size = math.ceil(len(xs) / limit)
    out_x = [xs[min(i + size, len(xs)) - 1] for i in range(0, len(xs), size)]
    out = []
    for column in columns:
        merged: list[float | None] = []
        for i in range(0, len(column), size):
            present = [v for v in column[i:i + size] if v is not None]
            merged.append(pick(present) if present else None)
        out.append(merged)
    return out_x, out
