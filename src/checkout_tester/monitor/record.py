"""One finished flow run as the monitor keeps it: what history stores, metrics export and alerts judge."""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from typing import Any

from checkout_tester.base import failure_classes as classes
from checkout_tester.base.redaction import Redactor
from checkout_tester.report.timings import TimingRecorder
from checkout_tester.run.events import Event, FlowFinished, FlowStarted, StepFinished

PUSH_JOB = "checkout-tester"  # the Pushgateway job of every pushed run (monitor and `run --pushgateway`)

OUTCOMES = ("passed", "degraded", "failed", "broken", "flaky")


@dataclass
class RunRecord:
    """A flow variant's run: outcome, failure, step timings and page metrics, all secrets masked."""

    flow: str  # the flow file's path as given (flows/signup.flow.yaml)
    flow_name: str
    variant: str
    location: str
    target: str
    started_at: datetime  # UTC
    duration_ms: float
    outcome: str  # one of OUTCOMES
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    failure_class: str = ""
    message: str = ""
    failed_step: str = ""  # "3 click Create account at flows/signup.flow.yaml:12"
    steps: list[dict[str, Any]] = field(default_factory=list)  # {index, title, line, status, ms}
    pages: list[dict[str, Any]] = field(default_factory=list)  # {step, url, ttfb_ms, fcp_ms, lcp_ms, cls, ...}
    warnings: list[str] = field(default_factory=list)  # budget warnings: a passed run with them is degraded
    artifacts: list[str] = field(default_factory=list)  # kept evidence (trace, screenshots): failures only
    reproduce: str = ""
    recheck: bool = False  # this run re-checked a failure sooner than the flow's interval

    @property
    def key(self) -> str:
        """What a state is kept for: flow variant at a location."""
        return f"{self.flow}[{self.variant}]@{self.location}" if self.variant else f"{self.flow}@{self.location}"

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO 8601)."""
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        return data


class RecordBuilder:
    """Listener of engine events that turns one flow run into a RunRecord (read `.record` after FlowFinished)."""

    def __init__(self, location: str, target: str, redactor: Redactor | None = None) -> None:
        self.location, self.target = location, target
        self.redactor = redactor or Redactor()
        self.timings = TimingRecorder(use_allure=False)
        self.record: RunRecord | None = None
        self._started = datetime.now(timezone.utc)
        self._failed_step = ""

    def __call__(self, event: Event) -> None:
        self.timings(event)
        if isinstance(event, FlowStarted):
            self._started, self._failed_step, self.record = datetime.now(timezone.utc), "", None
        elif isinstance(event, StepFinished) and event.status != "passed" and not self._failed_step:
            self._failed_step = f"{event.place or event.step.index} {event.title} at {event.step.source}"
        elif isinstance(event, FlowFinished):
            self.record = self._build(event)

    def _build(self, event: FlowFinished) -> RunRecord:
        timed = self.timings.record
        error = event.error
        outcome = {"passed": "degraded" if timed.get("warnings") else "passed",
                   "failed": "failed"}.get(event.status, "broken")
        message = self.redactor(str(error)) if error is not None else ""
        failure_class = ""
        if error is not None:
            failure_class = classes.class_of(error) or classes.classify(message)
        return RunRecord(flow=str(event.flow.path), flow_name=event.flow.name, variant=event.variant,
                         location=self.location, target=self.target, started_at=self._started,
                         duration_ms=round(timed.get("total_ms", event.duration_ms), 1), outcome=outcome,
                         failure_class=failure_class, message=message, failed_step=self.redactor(self._failed_step),
                         steps=self.redactor.deep(list(timed.get("step_times", []))),
                         pages=self.redactor.deep(list(timed.get("pages", []))),
                         warnings=self.redactor.deep(list(timed.get("warnings", []))))


def record_from_json(data: dict[str, Any]) -> RunRecord:
    """A RunRecord from its as_json() dict (how an xdist worker hands it to the controller)."""
    known = {f.name for f in fields(RunRecord)}
    values = {k: v for k, v in data.items() if k in known}
    values["started_at"] = datetime.fromisoformat(values["started_at"])
    return RunRecord(**values)
