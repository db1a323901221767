"""Alerts on changes of state per flow variant and location: failing, recovered, degraded, back to ok.

States per `record.key`: ok, failing, degraded. One failed or broken run pages nobody: the key turns failing
after `alert_after` in a row. A flaky run (a recheck that passed after a failure) is neither green nor red:
it keeps the failure streak as it is (the next failure adds to it, so fail / flaky / fail pages at 2), never
pages by itself and never closes an incident; it is counted and named in the next alert of that key.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from checkout_tester.base.redaction import Redactor
from checkout_tester.monitor.record import RunRecord

FAILED = ("failed", "broken")
GREEN = ("passed", "degraded")
MESSAGE_LINES = 6
MESSAGE_CHARS = 1200


@dataclass
class KeyState:
    """What is kept per flow variant and location."""

    state: str = "ok"  # ok | failing | degraded
    streak: int = 0  # failed/broken runs since the last green one (flaky runs neither add nor reset)
    flaky: int = 0  # flaky runs since the last green one
    first_failure: RunRecord | None = None  # the streak's first failed run


@dataclass
class Alert:
    """One change of state worth telling someone about."""

    kind: str  # failing | recovered | degraded | ok
    record: RunRecord  # the run that changed the state
    previous: str  # the state before
    streak: int = 0
    flaky: int = 0
    failing_since: datetime | None = None
    evidence: list[str] = field(default_factory=list)
    monitor_url: str = ""

    @property
    def title(self) -> str:
        """One line: what happened to which flow variant where."""
        r = self.record
        what = f"{r.flow_name or r.flow}" + (f" [{r.variant}]" if r.variant else "") + f" at {r.location}"
        return {"failing": f"FAILING: {what}: {r.failure_class or r.outcome}",
                "recovered": f"RECOVERED: {what}",
                "degraded": f"DEGRADED: {what} (passed over a warn budget)",
                "ok": f"OK again: {what}"}[self.kind]

    def notes(self) -> list[str]:
        """Extra lines: streak, flaky runs, degraded warnings."""
        notes = []
        if self.kind == "failing":
            notes.append(f"{self.streak} failed run(s) in a row" + (
                f" since {self.failing_since.isoformat(timespec='seconds')}" if self.failing_since else ""))
        if self.flaky:
            notes.append(f"flaky: {self.flaky} run(s) passed only on a recheck since the last clean pass")
        if self.kind == "recovered" and self.record.outcome == "degraded":
            notes.append("passing again but degraded (over a warn budget)")
        notes += [f"warning: {w}" for w in self.record.warnings[:3]] if self.kind in ("degraded", "recovered") else []
        return notes

    def as_json(self) -> dict[str, Any]:
        """The generic webhook body."""
        r = self.record
        return {"kind": self.kind, "title": self.title, "state": _state_after(self.kind, r), "previous": self.previous,
                "flow": r.flow, "flow_name": r.flow_name, "variant": r.variant, "location": r.location,
                "target": r.target, "outcome": r.outcome, "run_id": r.run_id,
                "started_at": r.started_at.isoformat(), "duration_ms": r.duration_ms,
                "failure_class": r.failure_class, "message": r.message, "failed_step": r.failed_step,
                "consecutive_failures": self.streak, "flaky_runs": self.flaky,
                "failing_since": self.failing_since.isoformat() if self.failing_since else None,
                "warnings": r.warnings, "evidence": self.evidence, "monitor": self.monitor_url,
                "reproduce": r.reproduce, "notes": self.notes()}

    def text(self) -> str:
        """A plain-text body (Slack's fallback text, logs)."""
        r = self.record
        lines = [self.title, *self.notes()]
        if self.kind == "failing":
            lines += [f"Class: {r.failure_class}", f"Step: {r.failed_step}", f"Message: {r.message}"]
            lines += [f"Evidence: {link}" for link in self.evidence]
            lines += [f"Reproduce: {r.reproduce}"] if r.reproduce else []
        if self.monitor_url:
            lines.append(f"Monitor: {self.monitor_url}")
        return "\n".join(line for line in lines if line.split(": ", 1)[-1])


def _state_after(kind: str, record: RunRecord) -> str:
    if kind == "failing":
        return "failing"
    return "degraded" if record.outcome == "degraded" else "ok"


def first_lines(text: str, lines: int = MESSAGE_LINES, chars: int = MESSAGE_CHARS) -> str:
    """The head of a failure message: its first lines, cut to a bounded length."""
    head = "\n".join(text.strip().splitlines()[:lines])
    return head if len(head) <= chars else head[: chars - 1] + "…"


def evidence_links(record: RunRecord) -> list[str]:
    """The run's kept artifacts (trace, screenshot) as file:// links, relative paths taken from the monitor's folder."""
    return [Path(path).resolve().as_uri() for path in record.artifacts]


def target_redactor(target: Any) -> Redactor:
    """A Redactor that knows every secret value the target config maps (for text that left the run)."""
    return Redactor(target.secret_values())


class AlertState:
    """The state machine per record.key; update() returns the Alert a run causes, if any."""

    def __init__(self, alert_after: int = 2, redactor: Redactor | None = None, monitor_url: str = "") -> None:
        if alert_after < 1:
            raise ValueError("alert_after must be 1 or more")
        self.alert_after, self.redactor, self.monitor_url = alert_after, redactor or Redactor(), monitor_url
        self.keys: dict[str, KeyState] = {}

    @classmethod
    def from_history(cls, records: Iterable[RunRecord], alert_after: int = 2, **options: Any) -> AlertState:
        """The state after these runs (history.runs() order, newest first, or any order): no alert is sent."""
        state = cls(alert_after, **options)
        for record in sorted(records, key=lambda r: r.started_at):
            state.update(record)
        return state

    def state_of(self, key: str) -> str:
        """ok | failing | degraded for a record key (ok when never seen)."""
        return self.keys[key].state if key in self.keys else "ok"

    def update(self, record: RunRecord) -> Alert | None:
        """Take one run into account; the Alert when the key's state changed in a way worth telling."""
        kept = self.keys.setdefault(record.key, KeyState())
        previous = kept.state
        if record.outcome == "flaky":
            kept.flaky += 1
            return None
        if record.outcome in FAILED:
            kept.streak += 1
            kept.first_failure = kept.first_failure or record
            if previous != "failing" and kept.streak >= self.alert_after:
                kept.state = "failing"
                return self._alert("failing", record, previous, kept)
            return None
        if record.outcome not in GREEN:
            return None
        alert = None
        if previous == "failing":
            alert = self._alert("recovered", record, previous, kept)
        elif previous == "ok" and record.outcome == "degraded":
            alert = self._alert("degraded", record, previous, kept)
        elif previous == "degraded" and record.outcome == "passed":
            alert = self._alert("ok", record, previous, kept)
        kept.state = "degraded" if record.outcome == "degraded" else "ok"
        kept.streak, kept.flaky, kept.first_failure = 0, 0, None
        return alert

    def _alert(self, kind: str, record: RunRecord, previous: str, kept: KeyState) -> Alert:
        shown = self._redacted(record)
        since = kept.first_failure.started_at if kind == "failing" and kept.first_failure else None
        return Alert(kind, shown, previous, streak=kept.streak, flaky=kept.flaky, failing_since=since,
                     evidence=evidence_links(shown) if kind == "failing" else [], monitor_url=self.monitor_url)

    def _redacted(self, record: RunRecord) -> RunRecord:
        """A copy to show: secrets masked again (the record should be already), the message cut to its head."""
        r = self.redactor
        return dataclasses.replace(record, message=r(first_lines(record.message)), failed_step=r(record.failed_step),
                                   reproduce=r(record.reproduce), warnings=[r(w) for w in record.warnings])
