"""The bundle of one reproduction: `reports/repro/<flow>-<UTC time>/` with the evidence, BUG.md and bundle.json."""
from __future__ import annotations

import platform
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from checkout_tester.base.redaction import Redactor
from checkout_tester.flow.model import Flow, Variant
from checkout_tester.reproduce.evidence import Evidence
from checkout_tester.reproduce.plain_steps import PlainStep, plain_steps

REPRO_DIR = Path("reports/repro")
FLOW_SUFFIX = ".flow.yaml"
_LABEL = re.compile(r"^  ([A-Z][a-z]+):\s+(.*)$")


def tool_version() -> str:
    """The installed checkout-tester's version."""
    try:
        return metadata.version("checkout-tester")
    except metadata.PackageNotFoundError:
        return "unknown"


def new_folder(flow: Flow, root: Path = REPRO_DIR, now: datetime | None = None) -> Path:
    """`reports/repro/signup-20261206T191900Z/` (with -2, -3 ... when one of that second exists)."""
    stem = Path(flow.path).name.removesuffix(FLOW_SUFFIX).removesuffix(".yaml")
    moment = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    folder = root / f"{stem}-{moment}"
    count = 1
    while folder.exists():
        count += 1
        folder = root / f"{stem}-{moment}-{count}"
    return folder


@dataclass
class Reproduction:
    """Everything a BUG.md and bundle.json say about one reproduction."""

    flow: Flow
    variant: Variant
    values: dict[str, Any]  # --set / --var values
    target_name: str
    target_path: str  # the config file, or "" for the built-in demo target
    base_url: str
    faults: list[str]
    command: str  # the command that replays it
    folder: Path
    evidence: Evidence
    redactor: Redactor
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    source: str = ""  # what was asked for: a path, a node id, a monitor run id
    isolation: dict[str, Any] | None = None  # Isolation.as_json()
    isolation_text: str = ""
    mode: str = "headless"  # headed, on which display, slow-mo

    @property
    def failed(self) -> bool:
        """The flow failed (or broke): the failure was reproduced."""
        return self.evidence.record.outcome in ("failed", "broken")

    @property
    def steps(self) -> list[PlainStep]:
        """The flow's steps in plain language, with the run's values (secrets masked)."""
        return plain_steps(self.flow, self.evidence.scope)

    def message_parts(self) -> dict[str, list[str]]:
        """The failure message split by its labels (Expected, Error, Page, Console, Class ...); `title` first."""
        lines = self.evidence.record.message.splitlines()
        parts: dict[str, list[str]] = {"title": lines[:1]}
        label = "title"
        for line in lines[1:]:
            match = _LABEL.match(line)
            if match:
                label = match.group(1).lower()
                parts.setdefault(label, []).append(match.group(2).strip())
            elif line.strip():
                parts.setdefault(label, []).append(line.strip())
        return parts

    def inputs(self) -> dict[str, Any]:
        """The values the run used: the variant row (as typed, after `unique:`), params, --set; secrets masked."""
        scope = self.evidence.scope.values if self.evidence.scope is not None else {}
        names = [*self.variant.values, *self.flow.params, *self.values]
        shown = {name: scope.get(name, self.values.get(name, self.variant.values.get(name))) for name in names}
        return self.redactor.deep({k: v for k, v in shown.items() if isinstance(v, (str, int, float, bool))})

    def environment(self) -> dict[str, str]:
        """Target, browser, time, tool and OS."""
        evidence = self.evidence
        return {"target": self.target_name, "target_config": self.target_path or "(built-in demo target)",
                "base_url": self.base_url, "store_faults": ", ".join(self.faults) or "none",
                "browser": f"{evidence.browser} {evidence.browser_version} ({self.mode})".strip(),
                "time": self.started_at.isoformat(timespec="seconds"), "checkout_tester": tool_version(),
                "os": platform.platform(), "python": platform.python_version()}

    def problems(self) -> dict[str, list[str]]:
        """Console errors and failed requests the detectors saw, each with its verdict."""
        console, network = [], []
        for finding in self.evidence.findings:
            line = finding.line() + (f"  [{finding.verdict}]" if finding.verdict else "")
            if finding.kind in ("console", "pageerror"):
                console.append(line)
            elif finding.kind in ("requestfailed", "http", "asset"):
                network.append(line)
        return {"console_errors": self.redactor.deep(console), "failed_requests": self.redactor.deep(network)}

    def as_json(self) -> dict[str, Any]:
        """bundle.json: the same as BUG.md, for tools."""
        record = self.evidence.record
        parts = self.message_parts()
        data = {"title": title(self), "reproduced": self.failed, "outcome": record.outcome,
                "flow": self.flow.path, "flow_name": self.flow.name, "variant": self.variant.id,
                "requested": self.source, "environment": self.environment(), "inputs": self.inputs(),
                "steps": [step.as_json() for step in self.steps],
                "expected": " ".join(parts.get("expected", [])), "actual": actual(parts),
                "failure_class": record.failure_class, "message": record.message,
                "failed_step": record.failed_step, **self.problems(),
                "timings": {"steps": record.steps, "pages": record.pages, "total_ms": record.duration_ms,
                            "warnings": record.warnings},
                "screenshots": self.evidence.screenshots, "evidence": self.evidence.files,
                "notes": self.evidence.notes, "replay": self.command, "record": record.as_json()}
        if self.isolation is not None:
            data["isolation"] = self.isolation
        return self.redactor.deep(data)


def title(rep: Reproduction) -> str:
    """Flow name [variant]: failure class: the message's first line (or 'could not reproduce')."""
    name = rep.flow.name + (f" [{rep.variant.id}]" if rep.variant.id else "")
    record = rep.evidence.record
    if not rep.failed:
        return f"{name}: could not reproduce (the flow {record.outcome})"
    first = (record.message.splitlines() or [""])[0].removeprefix(f"{rep.flow.name}: ")
    return rep.redactor(f"{name}: {record.failure_class}: {first}")


def actual(parts: dict[str, list[str]]) -> str:
    """What happened instead: the error and what the page showed."""
    return " ".join([*parts.get("error", []), *(f"Page: {line}" for line in parts.get("page", []))])
