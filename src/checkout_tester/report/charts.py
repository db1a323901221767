"""Timing pictures as SVG, drawn with matplotlib: a flow's waterfall and, over repeats, each step's spread."""
from __future__ import annotations

import io
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from checkout_tester.report.labels import duration_label, page_label

STEP, PAGE, WARN, FAIL = "#4c78a8", "#9ecae9", "#f58518", "#e45756"
MARKS = (("ttfb_ms", "TTFB", "v", "#222222"), ("fcp_ms", "FCP", "o", "#54a24b"), ("lcp_ms", "LCP", "*", "#b279a2"))
# Text stays text (findable, selectable, small files), `$24.00` is no mathtext; fixed ids run to run.
STYLE: Any = {"svg.fonttype": "none", "svg.hashsalt": "checkout-tester", "text.parse_math": False, "font.size": 9,
              "font.family": ["DejaVu Sans", "sans-serif"]}
NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
LABEL_CHARS = 60
REACH = 1.6  # budget lines up to 1.6 times the flow's length are drawn


def _text(text: str) -> str:
    """A label: long titles are cut."""
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


def _rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Steps in the order they started, each followed by the pages it loaded."""
    steps = sorted(record.get("step_times", []), key=lambda s: (s.get("start_ms", 0), str(s["index"]).count(".")))
    rows: list[dict[str, Any]] = []
    for step in steps:
        depth = str(step["index"]).count(".")
        rows.append({"label": "  " * depth + f"{step['index']} {step['title']}", "start": step.get("start_ms", 0),
                     "ms": step["ms"], "page": None, "budget": step.get("budget") or {},
                     "over": "fail" if step.get("status") != "passed" else step.get("over", "")})
        for page in record.get("pages", []):
            if str(page.get("step")) == str(step["index"]) and page.get("load_ms") is not None:
                over = page.get("over") or {}
                rows.append({"label": "  " * (depth + 1) + page_label(page), "start": page.get("start_ms", 0),
                             "ms": page["load_ms"], "page": page, "budget": page.get("budget") or {},
                             "over": "fail" if "fail" in over.values() else ("warn" if over else "")})
    return rows


def waterfall_svg(record: dict[str, Any]) -> str:
    """One run of a flow: each step and page load as a bar on the flow's clock, marks, budgets, a legend."""
    rows = _rows(record)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(10, 1.9 + 0.3 * max(len(rows), 1)))
        ax = fig.subplots()
        ys = list(range(len(rows)))
        colours = [FAIL if r["over"] == "fail" else WARN if r["over"] == "warn" else PAGE if r["page"] else STEP
                   for r in rows]
        bars = ax.barh(ys, [r["ms"] for r in rows], left=[r["start"] for r in rows], height=0.6, color=colours,
                       edgecolor=["#1f3b5a" if not r["page"] else "#5b8db8" for r in rows], linewidth=0.6)
        for y, (bar, row) in enumerate(zip(bars, rows, strict=True)):  # ids say what each shape is (tests, tools)
            bar.set_gid(f"{'page' if row['page'] else 'step'}-bar-{row['over'] or 'within'}-{y}")
        end = max([r["start"] + r["ms"] for r in rows] + [1.0])
        reach = end * REACH  # budgets further out would squash the bars: they are named under the title instead
        right, off = end, []
        for y, row in zip(ys, rows, strict=True):
            for tier, colour in (("warn", WARN), ("fail", FAIL)):
                limit = row["budget"].get(tier)
                if limit is None:
                    continue
                if row["start"] + limit > reach:  # where this bar would cross its budget
                    off.append(f"{'page load' if row['page'] else 'step'} {tier} {duration_label(limit)}")
                    continue
                ax.vlines(row["start"] + limit, y - 0.42, y + 0.42, colors=colour, linestyles="--", linewidth=1.4,
                          gid=f"budget-{tier}-{y}")
                right = max(right, row["start"] + limit)
            for key, name, marker, colour in MARKS if row["page"] else ():
                value = row["page"].get(key)
                if value is not None:
                    ax.plot(row["start"] + value, y, marker=marker, color=colour, markersize=6, linestyle="none",
                            gid=f"mark-{name}-{y}")
                    right = max(right, row["start"] + value)
            marks = [row["page"].get(key) or 0 for key, *_ in MARKS] if row["page"] else []
            ax.annotate(duration_label(row["ms"]), (row["start"] + max([row["ms"], *marks]), y), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=7.5, color="#333333")
        flow_budget = (record.get("budgets") or {}).get("flow") or {}
        for tier, colour in (("warn", WARN), ("fail", FAIL)):
            if flow_budget.get(tier) is None:
                continue
            if flow_budget[tier] > reach:
                off.append(f"flow {tier} {duration_label(flow_budget[tier])}")
                continue
            ax.axvline(flow_budget[tier], color=colour, linestyle=":", linewidth=1.6, gid=f"flow-budget-{tier}")
            right = max(right, flow_budget[tier])
        ax.set_yticks(ys, [_text(r["label"]) for r in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)  # first step at the top
        ax.set_xlim(0, right * 1.12)
        ax.set_xlabel("time since the flow started"
                      + (f"   (budgets beyond the chart: {', '.join(dict.fromkeys(off))})" if off else ""))
        ax.xaxis.set_major_formatter(FuncFormatter(duration_label))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_title(_text(_heading(record)), loc="left", fontsize=10)
        handles = _legend(flow_budget)
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=5, fontsize=8, frameon=False)
        _margins(fig, [_text(r["label"]) for r in rows], legend_rows=-(-len(handles) // 5))
        return _svg(fig)


def _heading(record: dict[str, Any]) -> str:
    name = record.get("name", "flow") + (f" [{record['variant']}]" if record.get("variant") else "")
    total = record.get("total_ms")
    status = record.get("status", "?")
    status = "passed, degraded" if status == "passed" and record.get("warnings") else status
    return f"{name}: {status}" + (f", {duration_label(total)}" if total is not None else "")


def _legend(flow_budget: dict[str, Any]) -> list[Any]:
    handles: list[Any] = [Patch(color=STEP, label="step"), Patch(color=PAGE, label="page load"),
                          Patch(color=WARN, label="over warn budget"), Patch(color=FAIL, label="over fail budget / failed")]
    handles += [Line2D([], [], marker=m, color=c, linestyle="none", label=name) for _, name, m, c in MARKS]
    handles += [Line2D([], [], color=WARN, linestyle="--", label="warn budget"),
                Line2D([], [], color=FAIL, linestyle="--", label="fail budget")]
    if flow_budget:
        handles.append(Line2D([], [], color="#555555", linestyle=":", label="flow budget"))
    return handles


def distribution_svg(runs: list[dict[str, Any]]) -> str:
    """Over the repeats of one flow variant: each step's and page load's times, as a box with every run a dot."""
    series: dict[str, list[float]] = {}
    order: dict[str, tuple[Any, ...]] = {}  # each page right after the step that loaded it
    for run in runs:
        for step in run.get("step_times", []):
            key = f"{step['index']} {step['title']}"
            series.setdefault(key, []).append(step["ms"])
            order.setdefault(key, (_number(step["index"]), 0))
        for page in run.get("pages", []):
            if page.get("load_ms") is not None:
                key = f"{page_label(page)} (step {page['step']})"
                series.setdefault(key, []).append(page["load_ms"])
                order.setdefault(key, (_number(page["step"]), 1))
    labels = sorted(series, key=lambda k: order[k])
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(10, 1.7 + 0.3 * max(len(labels), 1)))
        ax = fig.subplots()
        ys = list(range(1, len(labels) + 1))
        ax.boxplot([series[k] for k in labels], positions=ys, orientation="horizontal", widths=0.55,
                   showfliers=False, patch_artist=True, boxprops={"facecolor": "#dbe7f3", "edgecolor": STEP},
                   medianprops={"color": "#1f3b5a", "linewidth": 1.6})
        for y, key in zip(ys, labels, strict=True):
            values = series[key]
            offsets = [(i - (len(values) - 1) / 2) * 0.5 / max(len(values), 1) for i in range(len(values))]
            ax.plot(values, [y + o for o in offsets], marker="o", markersize=3.5, linestyle="none", color=WARN,
                    alpha=0.85)
        ax.set_yticks(ys, [_text(k) for k in labels])
        ax.set_ylim(len(labels) + 0.5, 0.5)
        ax.set_xlim(left=0)
        ax.xaxis.set_major_formatter(FuncFormatter(duration_label))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_xlabel("duration")
        first = runs[0] if runs else {}
        name = first.get("name", "flow") + (f" [{first['variant']}]" if first.get("variant") else "")
        ax.set_title(_text(f"{name}: {len(runs)} runs, time per step"), loc="left", fontsize=10)
        fig.legend(handles=[Patch(facecolor="#dbe7f3", edgecolor=STEP, label="middle half (box), median (line)"),
                            Line2D([], [], marker="o", color=WARN, linestyle="none", label="one run")],
                   loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=8, frameon=False)
        _margins(fig, [_text(k) for k in labels], legend_rows=1)
        return _svg(fig)


CHAR_INCHES = 9 * 0.62 / 72  # a 9 pt DejaVu Sans character, on the wide side


def _margins(fig: Figure, labels: list[str], legend_rows: int) -> None:
    """Room for the step labels, title, axis and legend, set from the labels' length: matplotlib's
    constrained layout measures every text twice, half of each picture's CPU (~0.2 s a waterfall)."""
    width, height = fig.get_size_inches()
    left = 0.25 + CHAR_INCHES * max((len(label) for label in labels), default=4)
    bottom = 0.6 + 0.2 * legend_rows
    fig.subplots_adjust(left=min(left / width, 0.62), right=1 - 0.2 / width, bottom=bottom / height,
                        top=1 - 0.35 / height)


def _number(index: Any) -> tuple[int, ...]:
    """A step's place ("4.2") as a sort key."""
    return tuple(int(part) if part.isdigit() else 0 for part in str(index).split("."))


def _svg(fig: Figure) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata=NO_METADATA)
    return out.getvalue()
