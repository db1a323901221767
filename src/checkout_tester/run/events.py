"""Events the engine emits while a flow runs; reporters (console, Allure, JSON) consume them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Union

from checkout_tester.flow.model import Flow, Step


@dataclass(frozen=True)
class FlowStarted:
    flow: Flow
    variant: str


@dataclass(frozen=True)
class StepStarted:
    step: Step
    title: str
    uid: str
    place: str = ""  # "4", "4.2.1": the step's number in this run, as timings and messages name it


@dataclass(frozen=True)
class StepFinished:
    step: Step
    title: str
    uid: str
    status: str  # passed | failed | broken
    duration_ms: float
    error: Optional[BaseException] = None
    place: str = ""


@dataclass(frozen=True)
class Attachment:
    name: str
    mime: str
    path: Optional[str] = None
    body: Optional[bytes] = None


@dataclass(frozen=True)
class FlowFinished:
    flow: Flow
    variant: str
    status: str
    duration_ms: float
    steps: int
    actions: int
    error: Optional[BaseException] = None
    saved: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PageMeasured:
    """Browser timings of one page load (Navigation Timing, paint, LCP, CLS, resources)."""

    step: Step
    metrics: dict  # url, ttfb_ms, dom_content_loaded_ms, load_ms, fcp_ms, lcp_ms, cls, requests, bytes
    place: str = ""  # the number of the step that opened the page (it may be measured during a later step)


@dataclass(frozen=True)
class RequestsAwaited:
    """The XHR/fetch requests a step started and waited for (their time is the step's)."""

    step: Step
    requests: list  # [{method, url, type, ms}, ...] (observe.action_work.Work.as_json)


@dataclass(frozen=True)
class BudgetBreached:
    """A measured value over its timing budget; tier `warn` degrades the flow, `fail` fails it."""

    breach: object  # budgets.Breach


Event = Union[FlowStarted, StepStarted, StepFinished, Attachment, FlowFinished, PageMeasured, RequestsAwaited,
              BudgetBreached]
Listener = Callable[[Event], None]
