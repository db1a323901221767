"""`checkout-tester status`: read the monitor's history and write the status page as one HTML file."""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from checkout_tester.base.errors import CheckoutTesterError, ConfigError

DEFAULT_HISTORY = "sqlite:///reports/history.db"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `status` subcommand's options."""
    parser.add_argument("flows", nargs="*", metavar="FLOWS",
                        help="flow files or folders: only their runs are shown (default: every flow in the history; "
                             "budget lines come from flows/)")
    parser.add_argument("--history", default=DEFAULT_HISTORY, help=f"the monitor's history (default {DEFAULT_HISTORY})")
    parser.add_argument("--out", default="reports/status.html", help="the HTML file to write (default reports/status.html)")
    parser.add_argument("--target", help="target config whose budgets the charts draw (default config/demo.yaml)")
    parser.add_argument("--days", type=int, default=7, help="how many days of history to show (default 7)")
    parser.add_argument("--title", default="checkout-tester status", help="the page's title")


def run_status(args: argparse.Namespace) -> int:
    """Write the status page; a user mistake prints one clear line and returns 2."""
    from checkout_tester.monitor.status_budgets import budget_limits  # heavier than the parser needs
    from checkout_tester.monitor.status_page import render

    try:
        flows, target = _budget_sources(args.flows, args.target)
        if args.days < 1:
            raise ConfigError("--days must be 1 or more, e.g. --days 7")
        records = _read_history(args.history, args.days)
    except CheckoutTesterError as exc:
        print(f"checkout-tester status: {exc}", file=sys.stderr)
        return 2
    if args.flows:
        wanted = {Path(f.path).resolve() for f in flows}
        records = [r for r in records if Path(r.flow).resolve() in wanted]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(records, budget_limits(flows, target), title=args.title), encoding="utf-8")
    print(f"status page of {len(records)} run(s) written to {out}")
    return 0


def _budget_sources(paths: list[str], target_path: str | None) -> tuple[list[Any], Any]:
    """The flows and target whose budgets draw the lines (found before any history is read)."""
    from checkout_tester.flow.loader import load_flows
    from checkout_tester.target.config_file import load_target

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise ConfigError(f"flow path not found: {', '.join(missing)}; give flow files or folders, e.g. flows/")
    if target_path and not Path(target_path).is_file():
        raise ConfigError(f"--target {target_path}: no such file; e.g. --target config/demo.yaml")
    target = load_target(target_path)
    given = paths or (["flows"] if Path("flows").is_dir() else [])
    return load_flows(given), target


def _read_history(url: str, days: int) -> list[Any]:
    """The runs of the last `days` days, from the monitor's history store."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        if not path.is_file():
            raise ConfigError(f"--history {url}: no history at {path}; run `checkout-tester monitor` first, "
                              "or give the monitor's --history URL")
    from checkout_tester.monitor.history import History  # type: ignore[import-not-found,unused-ignore]

    history = History(url=url)
    try:
        return list(history.runs(since=datetime.now(timezone.utc) - timedelta(days=days)))
    finally:
        history.close()
