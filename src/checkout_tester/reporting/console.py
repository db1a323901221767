"""Console summary: a short table, then each failure with its message and reproduce command."""
from __future__ import annotations

from typing import Any, Iterable

from rich.console import Console
from rich.table import Table

STYLE = {"passed": "green", "failed": "red", "broken": "yellow", "skipped": "dim"}


def print_summary(results: Iterable[Any], console: Console | None = None) -> None:
    """Print one row per flow variant and the failures below it."""
    console = console or Console(highlight=False)
    results = list(results)
    table = Table(title="checkout-tester summary", show_lines=False)
    for column in ("flow", "result", "time", "class"):
        table.add_column(column)
    for r in results:
        table.add_row(r.nodeid, f"[{STYLE.get(r.outcome, '')}]{r.outcome}[/]", f"{r.duration_s:.1f}s", r.failure_class)
    console.print(table)
    counts = {o: sum(1 for r in results if r.outcome == o) for o in STYLE}
    console.print(", ".join(f"{n} {o}" for o, n in counts.items() if n) or "no flows ran")
    for r in results:
        if r.outcome in ("failed", "broken"):
            console.rule(f"[red]{r.nodeid}")
            console.print(r.message, markup=False, soft_wrap=True)
