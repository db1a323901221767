"""The budget lines of the status page: each flow's limits in ms, merged as a run merges them (target < flow)."""
from __future__ import annotations

from collections.abc import Iterable

from checkout_tester.flow.budgets import Budgets
from checkout_tester.flow.model import Flow
from checkout_tester.target.config import Target

CHARTED = ("flow", "step", "ttfb", "lcp", "page_load")  # the metrics the page's charts show


def budget_limits(flows: Iterable[Flow], target: Target | None = None) -> dict[str, dict[str, float]]:
    """flow path -> {metric: warn limit ms, "metric:fail": fail limit ms} for the charted metrics."""
    layers = [target.budgets] if target is not None else []
    limits: dict[str, dict[str, float]] = {}
    for flow in flows:
        merged = Budgets(*layers, flow.budgets).limits  # the defaults too (page_load warns at 2 s)
        lines: dict[str, float] = {}
        for metric in CHARTED:
            limit = merged.get(metric)
            if limit is not None and limit.warn is not None:
                lines[metric] = limit.warn
            if limit is not None and limit.fail is not None:
                lines[f"{metric}:fail"] = limit.fail
        limits[flow.path] = lines
    return limits
