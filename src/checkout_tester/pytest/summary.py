"""pytest side of the timing pictures: summary.html next to timings.json, and with --repeat each variant's spread in Allure."""
from __future__ import annotations

import json
import uuid
import warnings
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.report import pictures
from checkout_tester.report.timings import group_key

DEFAULT_FOLDER = "reports"
NAME = "summary.html"


def summary_path(config: pytest.Config) -> Path:
    """Beside timings.json (--timings-json), else in reports/."""
    timings = config.getoption("--timings-json", None)
    return Path(timings).with_name(NAME) if timings else Path(DEFAULT_FOLDER) / NAME


class SummaryPlugin:
    """Writes summary.html from the session's run records, in the controlling process."""

    def __init__(self, config: pytest.Config, timings: Any) -> None:
        self.config = config
        self.timings = timings  # the TimingsPlugin: it gathers every run record (xdist workers' too)
        self.written: Path | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        records = self.timings.records
        if hasattr(self.config, "workerinput") or not records:
            return
        from checkout_tester.report.summary import write_summary  # matplotlib loads only when a picture is drawn

        repeat = self.config.getoption("--repeat", 1)
        self.written = write_summary(summary_path(self.config), records, repeat)
        alluredir = self.config.getoption("allure_report_dir", None)
        if alluredir and repeat > 1:
            attach_distributions(Path(alluredir), records, self.timings.started_ms)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.written is not None:
            terminalreporter.write_line(f"summary: {self.written} (timing pictures; opens from disk)")


def attach_distributions(results: Path, records: list[dict[str, Any]], since_ms: float) -> None:
    """Attach each repeated variant's spread of step times to this session's Allure results of it."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(group_key(record), []).append(record)
    sources: dict[str, str] = {}
    for file in results.glob("*-result.json"):
        try:
            result = json.loads(file.read_text())
        except (OSError, ValueError):
            continue
        labels = {label["name"]: label.get("value", "") for label in result.get("labels", [])}
        params = {p["name"]: str(p.get("value", "")).strip("'\"") for p in result.get("parameters", [])}
        key = group_key({"flow": labels.get("flow", ""), "variant": params.get("variant", "")})
        if result.get("start", 0) < since_ms or len(groups.get(key, ())) < 2:
            continue  # an older run's result, not a flow, or not repeated
        if key not in sources:
            source = f"{uuid.uuid4()}-attachment.svg"
            try:
                (results / source).write_text(pictures.drawn("distribution_svg", groups[key]))
            except Exception as exc:  # noqa: BLE001 - a picture lost must not lose the session's results
                warnings.warn(f"the spread of {key} could not be drawn: {exc!r}", stacklevel=1)
                continue
            sources[key] = source
        result.setdefault("attachments", []).append(
            {"name": f"step times over {len(groups[key])} runs", "source": sources[key], "type": "image/svg+xml"})
        file.write_text(json.dumps(result))
