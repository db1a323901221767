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


def print_summary(results: Iterable[Any], console: Console | None = None) -> None:
    """Print one row per flow variant and the failures below it."""
    console = console or make_console()
    results = list(results)
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
    as_expected = sum(1 for r in results if getattr(r, "expected_failure", ""))
    counts = {o: sum(1 for r in results if r.outcome == o) for o in STYLE}
    counts["passed"] -= as_expected
    degraded = [r for r in results if getattr(r, "degraded", "")]
    parts = [f"{n} {o}" for o, n in counts.items() if n] + ([f"{as_expected} failed as expected"] if as_expected else [])
    counts_text = ", ".join(parts) or "no flows ran"
    console.print(counts_text + (f" ({len(degraded)} degraded)" if degraded else ""))
    for r in degraded:
        console.rule(f"[yellow]{escape(r.nodeid)} degraded")
        console.print(r.degraded, markup=False, soft_wrap=True)
    for r in results:  # detector findings with policy `warn`: the flow passed, but say so
        for warning in getattr(r, "warnings", []):
            console.print("[yellow]warning[/] " + escape(f"{r.nodeid}: {warning}"), soft_wrap=True)
    for r in results:  # passed on retry: the first attempt's failure (pytest/retry.py)
        if r.outcome == "flaky":
            console.rule(f"[yellow]{escape(r.nodeid)} flaky (passed on retry)")
            console.print(r.message, markup=False, soft_wrap=True)
    for r in results:
        if r.outcome in ("failed", "broken", "interrupted"):
            console.rule(f"[red]{escape(r.nodeid)}")
            console.print(r.message, markup=False, soft_wrap=True)
