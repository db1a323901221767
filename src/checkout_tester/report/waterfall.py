"""Waterfall listener: when each step and page load started on the flow's clock, the budgets that applied,
what went over them; it adds these to the timings record and attaches the waterfall picture to Allure."""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from checkout_tester.flow.budgets import Breach, Budgets, Limit, step_limit
from checkout_tester.observe.timing import CONTAINERS
from checkout_tester.report import pictures
from checkout_tester.report.timings import TimingRecorder
from checkout_tester.run.events import (
    BudgetBreached,
    FlowFinished,
    FlowStarted,
    PageMeasured,
    StepFinished,
    StepStarted,
)

FLOW_METRICS = ("flow", "actions")


def _tiers(limit: Limit | None) -> dict[str, float]:
    """{"warn": 2000.0, "fail": 4000.0}, without the tiers that have no limit."""
    if limit is None:
        return {}
    return {tier: value for tier, value in (("warn", limit.warn), ("fail", limit.fail)) if value is not None}


def _worse(old: str, new: str) -> str:
    return "fail" if "fail" in (old, new) else new or old


class WaterfallRecorder:
    """Listener, given the run's TimingRecorder: list it BEFORE that recorder, so its additions are published."""

    def __init__(self, timings: TimingRecorder, target_budgets: Mapping[str, Any] | None = None,
                 use_allure: bool = True) -> None:
        self.timings, self.target_budgets, self.use_allure = timings, dict(target_budgets or {}), use_allure
        self.budgets = Budgets()
        self._clock = (time.perf_counter(), time.time() * 1000)
        self._open: list[dict[str, Any]] = []  # steps started and not finished, innermost last
        self._steps: list[dict[str, Any]] = []  # in the order they finished, as the timings record lists them
        self._pages: list[dict[str, Any]] = []  # in the order they were measured
        self._flow_over: dict[str, str] = {}

    def __call__(self, event: Any) -> None:
        if isinstance(event, FlowStarted):
            self._clock = (time.perf_counter(), time.time() * 1000)
            self._open, self._steps, self._pages, self._flow_over = [], [], [], {}
            try:
                self.budgets = Budgets(self.target_budgets, event.flow.budgets)
            except ValueError:  # the page timer reports a bad budget; the picture goes without lines
                self.budgets = Budgets()
        elif isinstance(event, StepStarted):
            self._open.append({"start_ms": self._now(), "over": "", "budget": self._step_budget(event.step)})
        elif isinstance(event, StepFinished):
            self._steps.append(self._open.pop() if self._open else {"start_ms": self._now(), "over": ""})
        elif isinstance(event, PageMeasured):
            self._pages.append(self._page(event.metrics))
        elif isinstance(event, BudgetBreached):
            self._breached(event.breach)  # type: ignore[arg-type]
        elif isinstance(event, FlowFinished):
            self._publish(event)

    def _now(self) -> float:
        return round((time.perf_counter() - self._clock[0]) * 1000, 1)

    def _step_budget(self, step: Any) -> dict[str, float]:
        try:
            own = step_limit(getattr(step.args, "budget", None))
        except ValueError:
            own = None
        if own is None and step.kind in CONTAINERS:
            return {}  # a container's time is its children's: no default budget
        return _tiers(own or self.budgets.limits.get("step"))

    def _page(self, metrics: Mapping[str, Any]) -> dict[str, Any]:
        """Where a page load sits on the flow's clock: the browser's navigation start, within its step."""
        step_start = self._open[-1]["start_ms"] if self._open else 0.0
        now = self._now()
        started = metrics.get("started_at_ms")
        start = started - self._clock[1] if isinstance(started, (int, float)) else step_start
        load = metrics.get("load_ms") or 0.0
        start = min(max(start, step_start), max(step_start, now - load))  # another clock may be skewed
        urls = [u for u in (metrics.get("url"), metrics.get("landed_url")) if u]
        page = self.budgets.page_budget("page_load", urls)
        limit = page.limits["page_load"] if page else self.budgets.limits.get("page_load")
        return {"start_ms": round(start, 1), "budget": _tiers(limit), "over": {}, "urls": urls}

    def _breached(self, breach: Breach) -> None:
        if breach.metric in FLOW_METRICS:
            self._flow_over[breach.metric] = _worse(self._flow_over.get(breach.metric, ""), breach.tier)
        elif breach.metric == "step":
            if self._open:
                self._open[-1]["over"] = _worse(self._open[-1]["over"], breach.tier)
        else:  # a page metric: the latest page of that URL
            for page in reversed(self._pages):
                if breach.url in page["urls"] or not breach.url:
                    page["over"][breach.metric] = _worse(page["over"].get(breach.metric, ""), breach.tier)
                    break

    def _publish(self, event: FlowFinished) -> None:
        record = self.timings.record
        for entry, extra in zip(record.get("step_times", []), self._steps, strict=False):
            entry.update(start_ms=extra["start_ms"], budget=extra.get("budget", {}), over=extra["over"])
        for entry, page in zip(record.get("pages", []), self._pages, strict=False):
            entry.update(start_ms=page["start_ms"], budget=page["budget"], over=page["over"])
        record["budgets"] = {"flow": _tiers(self.budgets.limits.get("flow"))}
        record["over"] = dict(self._flow_over)
        if not self.use_allure:
            return
        reading = sum(p.get("measure_ms", 0) for p in record.get("pages", []))  # as the timings count it
        shown = self.timings.redactor.deep({**record, "status": event.status,
                                            "total_ms": round(event.duration_ms - reading, 1)})
        pictures.attach_later("waterfall_svg", shown, "waterfall")  # serialised as it is sent: no copy needed
