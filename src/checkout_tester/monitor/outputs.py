"""Where a monitored run goes after it finished: sinks (history first) and the monitor's HTTP port.

A sink is any callable `(record: RunRecord) -> None`; the monitor calls each after every run, in order.
Metrics and alerts add their options and sinks here.
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # the parser imports this module: keep it light
    from checkout_tester.monitor.record import RunRecord

Sink = Callable[["RunRecord"], None]


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """The options of the monitor's outputs."""
    parser.add_argument("--port", type=int, default=None, metavar="P",
                        help="serve /metrics and the status page on 127.0.0.1:P (0: any free port)")


def sinks_from_options(args: argparse.Namespace, history: Any) -> list[Sink]:
    """The sinks the options ask for, history first."""
    sinks: list[Sink] = [history.add]
    return sinks


def serve(args: argparse.Namespace, history: Any, monitor: Any = None) -> Callable[[], None] | None:
    """Start the HTTP server of --port (`monitor`: the running scheduler.Monitor, for its skip counts);
    returns how to stop it (None: nothing was started)."""
    return None


def log_line(record: RunRecord) -> str:
    """The one line the monitor logs per run: flow[variant], location, outcome, duration, class, message."""
    first = record.message.strip().splitlines()[0] if record.message.strip() else ""
    name = f"{record.flow}[{record.variant}]" if record.variant else record.flow
    outcome = f"{record.outcome} (recheck)" if record.recheck else record.outcome
    parts = [name, f"@{record.location}", outcome, f"{record.duration_ms:.0f} ms"]
    if record.failure_class:
        parts.append(f"[{record.failure_class}]")
    if first:
        parts.append(first)
    return "  ".join(parts)
