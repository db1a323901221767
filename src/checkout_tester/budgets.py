"""Timing budgets: two tiers (warn = degraded, fail = failed) per metric, merged target < flow < step."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checkout_tester.stepargs import parse_duration_ms

# metric -> (unit, what it measures); time metrics take durations (2s, 500ms), the rest plain numbers.
METRICS: dict[str, tuple[str, str]] = {
    "step": ("ms", "step time"),
    "page_load": ("ms", "page load"),
    "ttfb": ("ms", "time to first byte"),
    "dom_content_loaded": ("ms", "DOMContentLoaded"),
    "fcp": ("ms", "first contentful paint"),
    "lcp": ("ms", "largest contentful paint"),
    "cls": ("", "cumulative layout shift"),
    "requests": ("", "number of requests"),
    "bytes": ("bytes", "bytes transferred"),
    "flow": ("ms", "flow total time"),
    "actions": ("", "number of shopper actions"),
}
PAGE_METRICS = ("page_load", "ttfb", "dom_content_loaded", "fcp", "lcp", "cls", "requests", "bytes")
TIERS = ("warn", "fail")
DEFAULTS: dict[str, dict[str, float | None]] = {"page_load": {"warn": 2000.0}}
EXAMPLE = "e.g. budgets: {page_load: {warn: 2s, fail: 4s}, step: 2s, cls: {fail: 0.25}, actions: {warn: 25}}"


@dataclass(frozen=True)
class Limit:
    """The two tiers of one metric; None means no limit at that tier."""

    warn: float | None = None
    fail: float | None = None


@dataclass(frozen=True)
class Breach:
    """One measured value over one tier of its budget."""

    metric: str
    tier: str  # warn | fail
    actual: float
    limit: float
    url: str = ""
    where: str = ""  # "step 7 `click ...` at flows/x.flow.yaml:12"

    @property
    def figures(self) -> str:
        """`Actual: 2310 ms / Limit: 2000 ms`."""
        return f"Actual: {fmt(self.metric, self.actual)} / Limit: {fmt(self.metric, self.limit)}"

    def line(self) -> str:
        """One line for warnings and reports."""
        joint = " on " if self.metric in ("step", "flow", "actions") else " of "
        what = METRICS[self.metric][1] + (f"{joint}{self.url}" if self.url else "")
        return f"{what}: {self.figures}" + (f" ({self.where})" if self.where else "")


def fmt(metric: str, value: float) -> str:
    """A value in its metric's unit, as people read it."""
    unit = METRICS[metric][0]
    if metric == "cls":
        return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"
    return f"{round(value)} {unit}".strip()


def _number(metric: str, value: Any) -> float:
    if METRICS[metric][0] == "ms":
        return parse_duration_ms(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"'{value}' is not a number")
    return float(value)


def parse_limit(metric: str, raw: Any) -> dict[str, float | None]:
    """`2s` (a bare value is the warn tier) or `{warn: 2s, fail: 4s}` -> {tier: number}; null clears a tier."""
    if not isinstance(raw, Mapping):
        return {"warn": _number(metric, raw)}
    unknown = [k for k in raw if k not in TIERS]
    if unknown:
        raise ValueError(f"budget '{metric}' takes warn and fail, not {', '.join(map(str, unknown))}")
    return {tier: None if raw[tier] is None else _number(metric, raw[tier]) for tier in TIERS if tier in raw}


def budget_problems(raw: Any) -> list[str]:
    """Plain-words problems in a `budgets:` mapping (empty when it is fine)."""
    if not isinstance(raw, Mapping):
        return [f"budgets must be a mapping; {EXAMPLE}"]
    problems = []
    for metric, value in raw.items():
        if metric not in METRICS:
            problems.append(f"unknown budget '{metric}'; budgets are {', '.join(METRICS)}")
            continue
        try:
            parse_limit(metric, value)
        except ValueError as exc:
            problems.append(f"budget '{metric}': {exc}")
    return problems


class Budgets:
    """The limits in force for one flow: defaults, then the target's, then the flow's (tier by tier)."""

    def __init__(self, *layers: Mapping[str, Any]) -> None:
        merged: dict[str, dict[str, float | None]] = {m: dict(t) for m, t in DEFAULTS.items()}
        for layer in layers:
            problems = budget_problems(layer or {})
            if problems:
                raise ValueError("; ".join(problems))
            for metric, value in (layer or {}).items():
                merged.setdefault(metric, {}).update(parse_limit(metric, value))
        self.limits = {m: Limit(t.get("warn"), t.get("fail")) for m, t in merged.items()}

    def check(self, metric: str, actual: float | None, url: str = "", where: str = "",
              override: Limit | None = None) -> Breach | None:
        """The worst tier `actual` is over, if any."""
        limit = override or self.limits.get(metric)
        if limit is None or actual is None:
            return None
        for tier in ("fail", "warn"):
            bound = getattr(limit, tier)
            if bound is not None and actual > bound:
                return Breach(metric, tier, actual, bound, url, where)
        return None


def step_limit(raw: Any) -> Limit | None:
    """A step's own `budget:` (its time): `3s` or `{warn: 2s, fail: 4s}`."""
    if raw is None:
        return None
    tiers = parse_limit("step", raw)
    return Limit(tiers.get("warn"), tiers.get("fail"))
