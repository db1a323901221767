"""pytest side of timings: --repeat, gathering run records (also from xdist workers), timings.json, Allure."""
from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.report.console import repeat_tables
from checkout_tester.report.live import render
from checkout_tester.report.timings import group_key, records_of, summarise, table

DEFAULT_JSON = "reports/timings.json"


def add_options(group: Any) -> None:
    """The timing options of the plugin's option group."""
    group.addoption("--repeat", type=int, default=1, metavar="N",
                    help="run each flow variant N times, each in a fresh browser context; "
                         "reports min, median, p95 and max per step and per page")
    group.addoption("--timings-json", default=DEFAULT_JSON, metavar="PATH",
                    help=f"where the timings JSON goes (default {DEFAULT_JSON}; '' for none)")


def repeat_items(items: list[pytest.Item], times: int, item_class: Any, test: Any) -> list[pytest.Item]:
    """Each flow item N times, named name[1of3] / name[variant-1of3]: stable names keep Allure history."""
    # item_class and test: the plugin's FlowItem and its test function, handed in (the plugin imports this module)
    out: list[pytest.Item] = []
    for item in items:
        if not isinstance(item, item_class) or times <= 1:
            out.append(item)
            continue
        base, _, rest = item.name.partition("[")
        variant = rest[:-1] if rest else ""
        for run in range(1, times + 1):
            run_id = f"{variant}-{run}of{times}" if variant else f"{run}of{times}"
            copy = item_class.from_parent(item.parent, name=f"{base}[{run_id}]", callobj=test)
            copy.flow, copy.variant = item.flow, item.variant
            copy.repeat_id = f"{run}of{times}"  # type: ignore[attr-defined]
            copy.base_nodeid = item.nodeid  # type: ignore[attr-defined]  # what Reproduce re-runs
            for marker in item.own_markers:
                copy.add_marker(marker.name)  # flow tags: plain markers
            out.append(copy)
    return out


class TimingsPlugin:
    """Collects every run record of the session; the controlling process writes the outputs."""

    def __init__(self, config: pytest.Config, item_class: Any, test: Any) -> None:
        self.config, self.item_class, self.test = config, item_class, test  # the plugin's FlowItem and test
        self.records: list[dict[str, Any]] = []
        self.started_ms = time.time() * 1000

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        times = self.config.getoption("--repeat")
        if times > 1:
            items[:] = repeat_items(items, times, self.item_class, self.test)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.records += records_of(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput") or not self.records:
            return  # xdist workers hand their records to the controller through the reports
        summary = summarise(self.records)
        path = self.config.getoption("--timings-json")
        if path:
            document = {"generated": datetime.now(UTC).isoformat(timespec="seconds"),
                        "repeat": self.config.getoption("--repeat"), "flows": summary, "runs": self.records}
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(json.dumps(document, indent=2))
        alluredir = self.config.getoption("allure_report_dir", None)
        if alluredir:
            attach_summaries(Path(alluredir), summary, self.started_ms)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput") or not self.records:
            return
        summary = summarise(self.records)
        degraded = {k: f for k, f in summary.items() if f["degraded"]}
        if self.config.getoption("--repeat") > 1:
            terminalreporter.section("checkout-tester timings (ms)")
            writer = self.config.get_terminal_writer()  # rich tables, at pytest's width and colour choice
            for repeat_table in repeat_tables(summary):
                terminalreporter.write(render(repeat_table, writer.fullwidth, writer.hasmarkup))
        if degraded:
            terminalreporter.section("degraded flows (passed, over a warn budget)")
            for key, flow in degraded.items():
                terminalreporter.write_line(f"{key}: degraded")
                for warning in flow["warnings"]:
                    terminalreporter.write_line(f"  {warning}")
        path = self.config.getoption("--timings-json")
        if path:
            terminalreporter.write_line(f"timings: {path}")


def attach_summaries(results: Path, summary: dict[str, Any], since_ms: float) -> None:
    """Attach each flow variant's figures over all its runs to this session's Allure results of it."""
    if not results.is_dir():
        return
    by_key: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for file in results.glob("*-result.json"):
        try:
            result = json.loads(file.read_text())
        except (OSError, ValueError):
            continue
        if result.get("start", 0) < since_ms:
            continue  # an older run's result
        labels = {label["name"]: label.get("value", "") for label in result.get("labels", [])}
        params = {p["name"]: p.get("value", "") for p in result.get("parameters", [])}
        if "flow" in labels:
            variant = str(params.get("variant", "")).strip("'\"")
            key = group_key({"flow": labels["flow"], "variant": variant})
            by_key.setdefault(key, []).append((file, result))
    for key, found in by_key.items():
        if key not in summary:
            continue
        figures = {key: summary[key]}
        sources = []
        for body, ext, mime, name in ((json.dumps(figures, indent=2), "json", "application/json",
                                       "timings over all runs (min, median, p95, max)"),
                                      ("\n".join(table(figures)), "txt", "text/plain", "timings table")):
            source = f"{uuid.uuid4()}-attachment.{ext}"
            (results / source).write_text(body)
            sources.append({"name": name, "source": source, "type": mime})
        for file, result in found:
            result.setdefault("attachments", []).extend(sources)
            file.write_text(json.dumps(result))
