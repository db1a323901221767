"""Allure reporter: one Allure step per flow step, timed by the engine, with attachments, labels and classes."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Mapping

import allure
from allure_commons.model2 import Parameter, Status, StatusDetails, TestStepResult
from allure_commons.types import AttachmentType

from checkout_tester.base.failure_classes import categories, class_of, classify
from checkout_tester.report.allure_results import allure_reporter, short_message, whole_ms
from checkout_tester.report.executor import write_executor
from checkout_tester.run.events import (
    Attachment,
    FlowFinished,
    FlowStarted,
    PageMeasured,
    StepFinished,
    StepStarted,
)

_TYPES = {"image/png": AttachmentType.PNG, "text/plain": AttachmentType.TEXT,
          "application/json": AttachmentType.JSON, "application/zip": None, "video/webm": AttachmentType.WEBM}

# Failure classes shown in Allure's Categories tab: built from base/failure_classes.py, the one source.
CATEGORIES = categories()


def flow_folder(flow_path: str) -> str:
    """The folder a flow file is in, as the run names it (`flows`, `flows/checkout`), else its name."""
    folder = Path(flow_path).parent
    return folder.as_posix() if folder.parts and not folder.is_absolute() else (folder.name or Path.cwd().name)


def behaviors(flow_path: str, tags: tuple[str, ...] | list[str], name: str) -> dict[str, list[str]]:
    """Allure's Behaviors: epic = the flow's folder, features = its tags, story = its name."""
    return {"epic": [flow_folder(flow_path)], "feature": list(tags), "story": [name]}


class AllureListener:
    """Turns engine events into Allure steps and attachments of the current test.

    Steps go straight to allure-commons' reporter so their start and stop are the engine's own
    measurement (the figure timings.json reports), and their failure message is `<class>: <first line>`."""

    def __init__(self) -> None:
        self._reporter: Any = None
        self._open: dict[str, TestStepResult] = {}  # uid -> step started, not finished
        self._failed: list[tuple[TestStepResult, BaseException]] = []
        self._measuring_ms = 0.0  # reading page metrics: not the shopper's time (timings.json leaves it out)

    def __call__(self, event: Any) -> None:
        if isinstance(event, FlowStarted):
            self._flow_started(event)
        elif isinstance(event, StepStarted):
            self._step_started(event)
        elif isinstance(event, StepFinished):
            self._step_finished(event)
        elif isinstance(event, PageMeasured):
            self._measuring_ms += float(event.metrics.get("measure_ms") or 0)
        elif isinstance(event, Attachment):
            kind = _TYPES.get(event.mime)
            extension = None if kind else Path(event.path or "x.bin").suffix.lstrip(".")
            if event.path:
                allure.attach.file(event.path, name=event.name, attachment_type=kind, extension=extension)
            else:
                allure.attach(event.body or b"", name=event.name, attachment_type=kind, extension=extension)
        elif isinstance(event, FlowFinished):
            self._flow_finished(event)

    def _flow_started(self, event: FlowStarted) -> None:
        self._reporter, self._open, self._failed, self._measuring_ms = allure_reporter(), {}, [], 0.0
        flow = event.flow
        allure.dynamic.title(flow.name + (f" [{event.variant}]" if event.variant else ""))
        if flow.description:
            allure.dynamic.description(flow.description)
        for kind, values in behaviors(flow.path, flow.tags, flow.name).items():
            allure.dynamic.label(kind, *values)
        # Suites: the flow's folder, then the flow (its variants side by side), not pytest's module path
        allure.dynamic.parent_suite(flow_folder(flow.path))
        allure.dynamic.suite(flow.name)
        allure.dynamic.label("flow", flow.path)
        if event.variant:
            allure.dynamic.parameter("variant", event.variant)

    def _step_started(self, event: StepStarted) -> None:
        if self._reporter is None:
            return
        title = f"step {event.place} {event.title}" if event.place else event.title  # as timings name it
        step = TestStepResult(name=title, start=int(time.time() * 1000),
                              parameters=[Parameter(name="line", value=str(event.step.source))])
        self._reporter.start_step(None, event.uid, step)
        self._open[event.uid] = step

    def _step_finished(self, event: StepFinished) -> None:
        step = self._open.pop(event.uid, None)
        if step is None:
            return
        # One measurement: the step lasts what the engine measured (and timings.json reports), in whole ms.
        status = {"passed": Status.PASSED, "failed": Status.FAILED}.get(event.status, Status.BROKEN)
        details = None
        if event.error is not None:
            details = StatusDetails(message=short_message(str(event.error), class_of(event.error)),
                                    trace=str(event.error))
            self._failed.append((step, event.error))
        self._reporter.stop_step(event.uid, stop=step.start + whole_ms(event.duration_ms), status=status,
                                 statusDetails=details)

    def _flow_finished(self, event: FlowFinished) -> None:
        if event.error is not None:
            self._one_class(event.error)
        shopper_ms = event.duration_ms - self._measuring_ms  # as timings.json's total_ms
        summary = {"flow": event.flow.path, "variant": event.variant, "status": event.status,
                   "duration_ms": whole_ms(shopper_ms), "steps": event.steps,
                   "actions": event.actions, "saved": event.saved}
        allure.attach(json.dumps(summary, indent=2), name="flow summary", attachment_type=AttachmentType.JSON)

    def _one_class(self, final: BaseException) -> None:
        """The steps that failed with the flow's error carry the flow's class (an observer may have refined it)."""
        name = class_of(final) or classify(str(final))
        origin = getattr(final, "step", None)
        for step, error in self._failed:
            same = error is final or error is final.__context__ or (origin is not None and
                                                                    getattr(error, "step", None) is origin)
            if same:  # the same message as the test's: its first line under the flow's class, then the detail
                step.statusDetails = StatusDetails(message=short_message(str(final), name), trace=str(final))


def write_results_metadata(results: str | Path, environment: Mapping[str, str],
                           env: Mapping[str, str] | None = None) -> None:
    """Write categories.json, environment.properties and (on CI) executor.json into an allure-results folder."""
    folder = Path(results)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "categories.json").write_text(json.dumps(CATEGORIES, indent=2))
    lines = [f"{key}={str(value).replace(chr(10), ' ')}" for key, value in environment.items()]
    (folder / "environment.properties").write_text("\n".join(lines) + "\n")
    write_executor(folder, env)
