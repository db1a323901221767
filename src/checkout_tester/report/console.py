"""Console summary: a short table, then each failure with its message and reproduce command."""
from __future__ import annotations

import sys
from typing import Any, Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

STYLE = {"passed": "green", "flaky": "yellow", "failed": "red", "broken": "yellow", "interrupted": "yellow",
         "skipped": "dim"}


def make_console() -> Console:
    """A console that, in CI logs and pipes, is wide enough not to cut test names."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def print_summary(results: Iterable[Any], console: Console | None = None, level: int = 0) -> None:
    """Print one row per flow variant and the failures below it (level -1, `-q`: the failures and the counts)."""
    console = console or make_console()
    results = list(results)
    if level < 0:
        _print_failures(results, console)
        console.print(counts_line(results))
        return
    table = Table(title="checkout-tester summary", show_lines=False)
    for column in ("flow", "result", "time", "class"):
        table.add_column(column)
    for r in results:
        degraded = getattr(r, "degraded", "")
        expected = getattr(r, "expected_failure", "")
        shown = "[yellow]passed, degraded[/]" if degraded else f"[{STYLE.get(r.outcome, '')}]{r.outcome}[/]"
        if expected:  # the row expects this failure (expect_failure): passed, by failing for that reason
            shown = "[green]failed as expected[/]"
        note = r.failure_class or ("timing budget (warn)" if degraded else "") or (f"expected: {expected}" if expected else "")
        table.add_row(escape(r.nodeid), shown, f"{r.duration_s:.1f}s", escape(note))
    console.print(table)
    console.print(counts_line(results))
    for r in results:
        if getattr(r, "degraded", ""):
            console.rule(f"[yellow]{escape(r.nodeid)} degraded")
            console.print(r.degraded, markup=False, soft_wrap=True)
    for r in results:  # detector findings with policy `warn`: the flow passed, but say so
        for warning in getattr(r, "warnings", []):
            console.print("[yellow]warning[/] " + escape(f"{r.nodeid}: {warning}"), soft_wrap=True)
    _print_failures(results, console)


def counts_line(results: list[Any]) -> str:
    """`3 passed, 1 failed (1 degraded)`."""
    as_expected = sum(1 for r in results if getattr(r, "expected_failure", ""))
    counts = {o: sum(1 for r in results if r.outcome == o) for o in STYLE}
    counts["passed"] -= as_expected
    degraded = [r for r in results if getattr(r, "degraded", "")]
    parts = [f"{n} {o}" for o, n in counts.items() if n] + ([f"{as_expected} failed as expected"] if as_expected else [])
    counts_text = ", ".join(parts) or "no flows ran"
    return counts_text + (f" ({len(degraded)} degraded)" if degraded else "")


def _print_failures(results: list[Any], console: Console) -> None:
    for r in results:  # passed on retry: the first attempt's failure (pytest/retry.py)
        if r.outcome == "flaky":
            console.rule(f"[yellow]{escape(r.nodeid)} flaky (passed on retry)")
            console.print(r.message, markup=False, soft_wrap=True)
    for r in results:
        if r.outcome in ("failed", "broken", "interrupted"):
            console.rule(f"[red]{escape(r.nodeid)}")
            console.print(r.message, markup=False, soft_wrap=True)


def repeat_tables(summary: dict[str, Any]) -> list[Table]:
    """--repeat: one rich table per flow variant, a row per step and per page figure (min, median, p95, max)."""
    tables = []
    for key, flow in summary.items():
        table = Table(title=f"{escape(key)}  ({flow['runs']} runs, {flow['passed']} passed, {flow['degraded']} degraded)",
                      title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("ms", overflow="fold")
        for column in ("n", "min", "median", "p95", "max"):
            table.add_column(column, justify="right")
        rows: list[tuple[str, Any, bool]] = [("flow total", flow["flow_ms"], False), ("actions", flow["actions"], False)]
        rows += [(f"step {s['index']} {s['title']}", s["ms"], False) for s in flow["steps"]]
        for page in flow["pages"]:
            for figure in ("ttfb_ms", "load_ms", "lcp_ms", "cls"):
                rows.append((f"page {page['url']} (step {page['step']}) {figure}", page[figure], figure == "cls"))
        for label, figures, cls in rows:
            cells = [_figure(figures, k, cls) for k in ("min", "median", "p95", "max")]
            table.add_row(escape(label), str(figures["n"]) if figures else "0", *cells)
        tables.append(table)
    return tables


def _figure(figures: dict[str, float] | None, key: str, cls: bool) -> str:
    if not figures:
        return "-"
    return f"{figures[key]:.3f}" if cls else f"{figures[key]:.0f}"
