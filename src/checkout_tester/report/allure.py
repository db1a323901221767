"""Allure reporter: one Allure step per flow step, attachments, categories and environment."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import allure
from allure_commons import plugin_manager
from allure_commons.types import AttachmentType

from checkout_tester.base.failure_classes import categories
from checkout_tester.run.events import Attachment, FlowFinished, FlowStarted, StepFinished, StepStarted

_TYPES = {"image/png": AttachmentType.PNG, "text/plain": AttachmentType.TEXT,
          "application/json": AttachmentType.JSON, "application/zip": None, "video/webm": AttachmentType.WEBM}

# Failure classes shown in Allure's Categories tab: built from base/failure_classes.py, the one source.
CATEGORIES = categories()


class AllureListener:
    """Turns engine events into Allure steps and attachments of the current test."""

    def __call__(self, event: Any) -> None:
        if isinstance(event, FlowStarted):
            title = event.flow.name + (f" [{event.variant}]" if event.variant else "")
            allure.dynamic.title(title)
            if event.flow.description:
                allure.dynamic.description(event.flow.description)
            allure.dynamic.tag(*event.flow.tags)
            allure.dynamic.label("flow", event.flow.path)
            if event.variant:
                allure.dynamic.parameter("variant", event.variant)
        elif isinstance(event, StepStarted):
            title = f"step {event.place} {event.title}" if event.place else event.title  # as timings name it
            plugin_manager.hook.start_step(uuid=event.uid, title=title,
                                           params={"line": str(event.step.source)})
        elif isinstance(event, StepFinished):
            error = event.error
            plugin_manager.hook.stop_step(uuid=event.uid, exc_type=type(error) if error else None,
                                          exc_val=error, exc_tb=None)
        elif isinstance(event, Attachment):
            kind = _TYPES.get(event.mime)
            extension = None if kind else Path(event.path or "x.bin").suffix.lstrip(".")
            if event.path:
                allure.attach.file(event.path, name=event.name, attachment_type=kind, extension=extension)
            else:
                allure.attach(event.body or b"", name=event.name, attachment_type=kind, extension=extension)
        elif isinstance(event, FlowFinished):
            summary = {"flow": event.flow.path, "variant": event.variant, "status": event.status,
                       "duration_ms": round(event.duration_ms), "steps": event.steps,
                       "actions": event.actions, "saved": event.saved}
            allure.attach(json.dumps(summary, indent=2), name="flow summary", attachment_type=AttachmentType.JSON)


def write_results_metadata(results: str | Path, environment: Mapping[str, str]) -> None:
    """Write categories.json and environment.properties into an allure-results folder."""
    folder = Path(results)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "categories.json").write_text(json.dumps(CATEGORIES, indent=2))
    lines = [f"{key}={str(value).replace(chr(10), ' ')}" for key, value in environment.items()]
    (folder / "environment.properties").write_text("\n".join(lines) + "\n")
