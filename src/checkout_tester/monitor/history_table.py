"""`checkout-tester history` as a table: newest first, one row per run."""
from __future__ import annotations

from typing import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from checkout_tester.monitor.record import RunRecord

COLOURS = {"passed": "green", "degraded": "yellow", "flaky": "magenta", "failed": "red", "broken": "red"}


def print_table(runs: Sequence[RunRecord], console: Console | None = None) -> None:
    """Print the runs (or a line saying there are none)."""
    console = console or Console(width=None if Console().is_terminal else 160)
    if not runs:
        console.print("no runs recorded in that span")
        return
    table = Table(show_edge=False, header_style="bold")
    for column in ("started (UTC)", "flow", "location", "outcome", "ms", "class", "message"):
        table.add_column(column, justify="right" if column == "ms" else "left", overflow="fold",
                         no_wrap=column.startswith("started"))
    for run in runs:
        name = f"{run.flow}[{run.variant}]" if run.variant else run.flow
        outcome = run.outcome + (" (recheck)" if run.recheck else "")
        first = run.message.strip().splitlines()[0] if run.message.strip() else ""
        table.add_row(run.started_at.strftime("%Y-%m-%d %H:%M:%S"), escape(name), escape(run.location),
                      f"[{COLOURS.get(run.outcome, 'white')}]{outcome}[/]", f"{run.duration_ms:.0f}",
                      escape(run.failure_class), escape(first[:100]))  # [variant] is not markup
    console.print(table)
    console.print(f"{len(runs)} run(s)")
