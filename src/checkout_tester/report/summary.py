"""reports/summary.html: one self-contained file with each flow variant's result and timing pictures, no Java needed."""
from __future__ import annotations

import statistics
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from checkout_tester.report import pictures
from checkout_tester.report.labels import duration_label, inline, page_label
from checkout_tester.report.timings import group_key

SLOWEST_PAGES = 10
_ENV = Environment(loader=PackageLoader("checkout_tester.report", "templates"), autoescape=select_autoescape())
_ENV.filters["duration"] = lambda ms: duration_label(ms) if isinstance(ms, (int, float)) else "-"


def outcome(run: dict[str, Any]) -> str:
    """passed, degraded (passed over a warn budget), failed or broken."""
    status = run.get("status", "?")
    return "degraded" if status == "passed" and run.get("warnings") else status


def representative(runs: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """The run whose flow time is the median one (the first run when there is one), with its number."""
    totals = [r.get("total_ms") or 0 for r in runs]
    middle = statistics.median_low(totals)
    index = totals.index(middle)
    return index + 1, runs[index]


def sections(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One section per flow variant, in the order they first ran."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(group_key(record), []).append(record)
    out: list[dict[str, Any]] = []
    for key, runs in groups.items():
        number, shown = representative(runs)
        outcomes = [outcome(r) for r in runs]
        worst = next((o for o in ("broken", "failed", "degraded", "passed") if o in outcomes), outcomes[0])
        out.append({"key": key, "anchor": f"flow-{len(out) + 1}", "name": runs[0].get("name", key),
                    "variant": runs[0].get("variant", ""), "runs": runs, "outcomes": outcomes, "status": worst,
                    "total_ms": shown.get("total_ms"), "shown": number,
                    "totals": [r.get("total_ms") for r in runs],
                    "notes": sorted({w for r in runs for w in r.get("warnings", []) + r.get("failures", [])}),
                    "waterfall": pictures.picture("waterfall_svg", shown),
                    "distribution": pictures.picture("distribution_svg", runs) if len(runs) > 1 else None})
    for section in out:  # all asked for first: the drawing thread works while this one waits for the first
        for chart in ("waterfall", "distribution"):
            if section[chart] is not None:
                section[chart] = Markup(_shown(section[chart]))
    return out


def _shown(drawing: Future[str]) -> str:
    """The picture inline, or why it is missing (the results stand without it)."""
    try:
        return inline(drawing.result())
    except Exception as exc:  # noqa: BLE001 - a picture lost must not lose the summary
        return f"<p>the picture could not be drawn: {escape(repr(exc))}</p>"


def slowest_pages(records: list[dict[str, Any]], limit: int = SLOWEST_PAGES) -> list[dict[str, Any]]:
    """The page loads that took longest, over every run, slowest first."""
    pages = [{**page, "flow": group_key(record), "name": record.get("name", "")}
             for record in records for page in record.get("pages", []) if page.get("load_ms") is not None]
    return sorted(pages, key=lambda p: -p["load_ms"])[:limit]


def render(records: list[dict[str, Any]], repeat: int = 1) -> str:
    """The whole page."""
    found = sections(records)
    counts = {o: sum(s["status"] == o for s in found) for o in ("passed", "degraded", "failed", "broken")}
    return _ENV.get_template("summary.html").render(
        sections=found, pages=slowest_pages(records), counts=counts, repeat=repeat, runs=len(records),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"), page_label=page_label)


def write_summary(path: str | Path, records: list[dict[str, Any]], repeat: int = 1) -> Path:
    """Write summary.html; returns its path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(records, repeat), encoding="utf-8")
    return target
