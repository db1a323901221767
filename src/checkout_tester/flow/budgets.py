"""Timing budgets: two tiers (warn = degraded, fail = failed) per metric, merged target < flow < step."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from checkout_tester.flow.step_arguments import parse_duration_ms

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
PAGES = "pages"  # budgets: {pages: {PATTERN: {metric: limit}}}: page metrics for the pages a pattern matches
PAGES_EXAMPLE = 'e.g. budgets: {pages: {"/accounts/.*": {page_load: {warn: 4s}}}}'


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
    request: str = ""  # what was measured when not a plain GET: "POST http://h/checkout -> 303 http://h/checkout/payment"
    pattern: str = ""  # the `pages:` pattern whose budget applied
    detail: str = ""  # e.g. the requests a step waited for: "waited for POST http://h/api/basket (fetch) 1503 ms"

    @property
    def figures(self) -> str:
        """`Actual: 2310 ms / Limit: 2000 ms`."""
        return f"Actual: {fmt(self.metric, self.actual)} / Limit: {fmt(self.metric, self.limit)}"

    @property
    def subject(self) -> str:
        """What was measured: the request chain of a form post or redirect, else the URL."""
        return self.request or self.url

    def line(self) -> str:
        """One line for warnings and reports."""
        joint = " on " if self.metric in ("step", "flow", "actions") else " of "
        what = METRICS[self.metric][1] + (f"{joint}{self.subject}" if self.subject else "")
        text = f"{what}: {self.figures}" + (f" [budget of pages {self.pattern}]" if self.pattern else "")
        text += f"; {self.detail}" if self.detail else ""
        return text + (f" ({self.where})" if self.where else "")


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
    return [problem for _, problem in budget_issues(raw)]


def budget_issues(raw: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Problems in a `budgets:` mapping, each with its path below `budgets` (for file:line)."""
    if not isinstance(raw, Mapping):
        return [((), f"budgets must be a mapping; {EXAMPLE}")]
    problems: list[tuple[tuple[Any, ...], str]] = []
    for metric, value in raw.items():
        if metric == PAGES:
            problems += _page_issues(value)
        elif metric not in METRICS:
            problems.append(((metric,), f"unknown budget '{metric}'; budgets are {', '.join(METRICS)}, {PAGES}"))
        else:
            problems += _limit_issues(metric, value, (metric,))
    return problems


def _limit_issues(metric: str, value: Any, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    try:
        parse_limit(metric, value)
    except ValueError as exc:
        return [(path, f"budget '{metric}': {exc}")]
    return []


def _page_issues(raw: Any) -> list[tuple[tuple[Any, ...], str]]:
    if not isinstance(raw, Mapping) or not raw:
        return [((PAGES,), f"budgets.pages must be a mapping of URL patterns to budgets; {PAGES_EXAMPLE}")]
    problems: list[tuple[tuple[Any, ...], str]] = []
    for pattern, limits in raw.items():
        where = (PAGES, pattern)
        problem = pattern_problem(pattern)
        if problem:
            problems.append((where, problem))
        if not isinstance(limits, Mapping) or not limits:
            problems.append((where, f"the budget of pages {pattern} must be a mapping of page budgets; {PAGES_EXAMPLE}"))
            continue
        for metric, value in limits.items():
            if metric not in PAGE_METRICS:
                problems.append(((*where, metric), f"'{metric}' is not a page budget; pages take {', '.join(PAGE_METRICS)}"))
            else:
                problems += _limit_issues(metric, value, (*where, metric))
    return problems


def pattern_problem(pattern: Any) -> str:
    """Why a `pages:` key is no usable URL pattern ('' when it is one)."""
    if not isinstance(pattern, str) or not pattern.startswith(("/", "http://", "https://")):
        return (f"page pattern {pattern!r} must be a regular expression for the path, starting with / "
                "(or for the whole URL, starting with http:// or https://), e.g. /accounts/.*")
    if "/*" in pattern or "**" in pattern:
        fixed = pattern.replace("**", "*").replace("/*", "/.*")
        return f"page pattern {pattern!r} looks like a glob; page patterns are regular expressions: write {fixed}"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"page pattern {pattern!r} is not a regular expression ({exc})"
    return ""


@dataclass(frozen=True)
class PageBudget:
    """Page limits for the URLs one `pages:` pattern matches (the whole path, or the whole URL)."""

    pattern: str
    limits: Mapping[str, Limit] = field(default_factory=dict)

    def matches(self, url: str) -> bool:
        """Does the pattern match the whole path (with or without its query), or the whole URL?"""
        if self.pattern.startswith("/"):
            parts = urlsplit(url)
            candidates = [parts.path or "/"] + ([f"{parts.path}?{parts.query}"] if parts.query else [])
        else:
            candidates = [url]
        return any(re.fullmatch(self.pattern, c) for c in candidates)


class Budgets:
    """The limits in force for one flow: defaults, then the target's, then the flow's (tier by tier)."""

    def __init__(self, *layers: Mapping[str, Any]) -> None:
        merged: dict[str, dict[str, float | None]] = {m: dict(t) for m, t in DEFAULTS.items()}
        pages: dict[str, dict[str, dict[str, float | None]]] = {}
        for layer in layers:
            problems = budget_problems(layer or {})
            if problems:
                raise ValueError("; ".join(problems))
            for metric, value in (layer or {}).items():
                if metric != PAGES:
                    merged.setdefault(metric, {}).update(parse_limit(metric, value))
        for layer in reversed(layers):  # the flow's patterns are tried before the target's
            for pattern in (layer or {}).get(PAGES, {}):
                pages.setdefault(pattern, {})
        for layer in layers:  # a pattern both give: tier by tier, the flow's win
            for pattern, limits in (layer or {}).get(PAGES, {}).items():
                for metric, value in limits.items():
                    pages[pattern].setdefault(metric, {}).update(parse_limit(metric, value))
        self.limits = {m: Limit(t.get("warn"), t.get("fail")) for m, t in merged.items()}
        # A page budget changes only the tiers it names: the flow's other tier still holds there.
        self.pages = [PageBudget(p, {m: Limit(**{**merged.get(m, {}), **t}) for m, t in limits.items()})
                      for p, limits in pages.items()]

    @property
    def fails_pages(self) -> bool:
        """Does any page metric have a fail tier (flow-wide or for some pages)?"""
        tiers = [self.limits.get(m) for m in PAGE_METRICS] + [lim for p in self.pages for lim in p.limits.values()]
        return any(t is not None and t.fail is not None for t in tiers)

    def page_budget(self, metric: str, urls: Iterable[str]) -> PageBudget | None:
        """The first `pages:` budget for `metric` whose pattern matches one of `urls`."""
        urls = [u for u in urls if u]
        return next((p for p in self.pages if metric in p.limits and any(p.matches(u) for u in urls)), None)

    def check(self, metric: str, actual: float | None, url: str = "", where: str = "",
              override: Limit | None = None, urls: Iterable[str] = (), request: str = "") -> Breach | None:
        """The worst tier `actual` is over, if any; `urls` pick a `pages:` budget (page metrics)."""
        page = None if override else self.page_budget(metric, urls)
        limit = override or (page.limits[metric] if page else self.limits.get(metric))
        if limit is None or actual is None:
            return None
        for tier in ("fail", "warn"):
            bound = getattr(limit, tier)
            if bound is not None and actual > bound:
                return Breach(metric, tier, actual, bound, url, where, request, page.pattern if page else "")
        return None


def step_limit(raw: Any) -> Limit | None:
    """A step's own `budget:` (its time): `3s` or `{warn: 2s, fail: 4s}`."""
    if raw is None:
        return None
    tiers = parse_limit("step", raw)
    return Limit(tiers.get("warn"), tiers.get("fail"))
