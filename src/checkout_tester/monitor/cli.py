"""`checkout-tester monitor` and `checkout-tester history`: options, preflight, start and clean stop."""
from __future__ import annotations

import argparse
import logging
import re
import signal
import socket
import sys
import threading
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from checkout_tester.base.errors import CheckoutTesterError, ConfigError
from checkout_tester.monitor import outputs
from checkout_tester.monitor.settings import (
    ARTIFACTS,
    EVERY,
    HISTORY_URL as DEFAULT_URL,
    KEEP_DAYS,
    KEEP_MB,
    RECHECK,
    RECYCLE,
    RUN_TIMEOUT,
)

if TYPE_CHECKING:  # the parser is built for every command: the rest is imported when a monitor starts
    from checkout_tester.flow.model import Flow
    from checkout_tester.target.config import Target

log = logging.getLogger("checkout_tester.monitor")
_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
EXIT_INTERRUPTED = 2  # a flow was stopped mid-run by the signal (it is not stored)


def span_s(text: str, option: str) -> float:
    """`30s`, `5m`, `24h`, `7d` -> seconds; a ValueError naming the option otherwise."""
    match = _SPAN.match(str(text))
    if not match:
        raise ValueError(f"{option} {text!r} is not a duration; write it like 30s, 5m, 24h or 7d")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def add_parsers(sub: Any) -> None:
    """The `monitor` and `history` subcommands."""
    monitor = sub.add_parser("monitor", help="run flows on a schedule until stopped; runs go to the history",
                             description="Run the flows on a schedule until Ctrl-C or SIGTERM (exit 0; 2 if a "
                                         "flow was stopped mid-run). Each run goes to the history database.")
    monitor.add_argument("flows", nargs="*", default=["flows"], metavar="FLOW", help="flow files or folders (flows/)")
    monitor.add_argument("--target", required=True, help="the target config, e.g. config/my-shop.yaml")
    when = monitor.add_mutually_exclusive_group()
    when.add_argument("--every", default=EVERY, help=f"run each flow this often (default {EVERY}; a flow's "
                                                      "monitor: {every} wins)")
    when.add_argument("--cron", help='a crontab line instead of --every, e.g. "*/5 * * * *" (UTC)')
    monitor.add_argument("--recheck", default=RECHECK, help="re-check a failed flow after this long instead of "
                                                            f"a whole interval (default {RECHECK}; 0: never)")
    monitor.add_argument("--location", default=socket.gethostname(),
                         help="where this monitor runs, kept with every run (default: the host name)")
    monitor.add_argument("--history", default=DEFAULT_URL, help=f"database URL (default {DEFAULT_URL}; "
                                                                "postgresql+psycopg://user:pw@host/db)")
    monitor.add_argument("--shard", metavar="I/N", help="check only the I-th of N shares of the flow files (e.g. 2/3): "
                                                        "N monitor replicas with 1/N .. N/N check each flow once")
    monitor.add_argument("--artifacts", default=ARTIFACTS,
                         help="where the trace and screenshot of failed runs go")
    monitor.add_argument("--keep-days", type=float, default=KEEP_DAYS,
                         help=f"delete failed runs' evidence older than this many days (default {KEEP_DAYS:g})")
    monitor.add_argument("--keep-mb", type=float, default=KEEP_MB,
                         help=f"and the oldest beyond this many MB (default {KEEP_MB:g})")
    monitor.add_argument("--recycle", type=int, default=RECYCLE, metavar="N",
                         help=f"launch a fresh browser after N runs (default {RECYCLE}; 0: never): Playwright keeps "
                              "every run's trace files until its browser closes")
    monitor.add_argument("--run-timeout", default=RUN_TIMEOUT, metavar="SPAN",
                         help=f"a run still going after this long is recorded as broken and its browser lane replaced "
                              f"(default {RUN_TIMEOUT}; 0: never); set it above your slowest flow's worst case")
    monitor.add_argument("--concurrency", type=outputs.at_least_one_lane, default=1, metavar="N",
                         help="flows in flight at once, each in its own context of one shared browser (default 1); "
                              "a flow never runs beside itself")
    outputs.add_output_options(monitor)

    history = sub.add_parser("history", help="show the monitor's recorded runs")
    history.add_argument("flow", nargs="?", help="only this flow (its path or file name)")
    history.add_argument("--since", default="24h", help="runs started within this span (default 24h; e.g. 2h, 7d)")
    history.add_argument("--location", help="only runs from this location")
    history.add_argument("--limit", type=int, default=None, help="at most this many runs (newest first)")
    history.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    history.add_argument("--history", default=DEFAULT_URL, help=f"database URL (default {DEFAULT_URL})")


def _errors(problems: list[str]) -> int:
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 2


def _load(args: argparse.Namespace) -> tuple[Target, list[Flow], list[str]]:
    """The target and flows, and every problem found before a browser starts (as `checkout-tester run` finds them)."""
    from checkout_tester.flow.loader import find_flow_files, load_flow
    from checkout_tester.target import preflight
    from checkout_tester.target.config import Target
    from checkout_tester.target.config_file import load_target

    problems: list[str] = []
    try:
        target = load_target(args.target)
    except ConfigError as exc:
        return Target(), [], exc.problems
    flows: list[Flow] = []
    try:
        files = find_flow_files(args.flows)
    except CheckoutTesterError as exc:
        return target, [], [str(exc)]
    for file in files:
        try:
            flows.append(load_flow(file))
        except CheckoutTesterError as exc:
            problems.append(str(exc))
    if not files:
        problems.append(f"no *.flow.yaml under {' '.join(args.flows)}")
    if getattr(args, "shard", None):
        flows, problems = _share(flows, args.shard, problems)
    for option in ("every", "recheck", "run_timeout"):
        try:
            if getattr(args, option):
                span_s(getattr(args, option), "--" + option.replace("_", "-"))
        except ValueError as exc:
            problems.append(str(exc))
    if args.cron:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(args.cron)
        except ValueError as exc:
            problems.append(f"--cron {args.cron!r}: {exc}; e.g. --cron \"*/5 * * * *\"")
    return target, flows, problems + preflight.check(target, flows, embedded=target.is_demo)


def _share(flows: list[Flow], text: str, problems: list[str]) -> tuple[list[Flow], list[str]]:
    """This replica's flow files under --shard I/N: by count over the sorted paths (flow/shards.py)."""
    from checkout_tester.flow.shards import assign, parse_shard

    try:
        shard = parse_shard(text)
    except ConfigError as exc:
        return flows, problems + exc.problems
    owner = assign({flow.path: None for flow in flows}, shard.count)
    mine = [flow for flow in flows if owner[flow.path] == shard.index]
    if flows and not mine:
        problems = problems + [f"--shard {text}: no flow file falls to this shard ({len(flows)} file(s) over "
                               f"{shard.count} shards); run at most {len(flows)} replicas"]
    return mine, problems


def run_monitor(args: argparse.Namespace) -> int:
    """`checkout-tester monitor`: preflight, then run on schedule until a signal; 0, or 2 if a flow was cut short."""
    from checkout_tester.mail import mailbox
    from checkout_tester.monitor.history import History
    from checkout_tester.monitor.runner import MonitorSession
    from checkout_tester.monitor.scheduler import Monitor, Schedule
    from checkout_tester.monitor.status_budgets import budget_limits
    from checkout_tester.monitor.status_page import status_app
    from checkout_tester.run import interrupts

    _logging()
    target, flows, problems = _load(args)
    if problems:
        return _errors(problems)
    schedule = Schedule(every_s=span_s(args.every, "--every"), cron=args.cron,
                        recheck_s=span_s(args.recheck, "--recheck"),
                        run_timeout_s=span_s(args.run_timeout, "--run-timeout"))
    try:
        history = History(args.history)
    except ConfigError as exc:
        return _errors(exc.problems)
    stop = threading.Event()
    interrupts.reset()
    interrupts.install()  # the running flow stops before its next step; a second signal stops at once
    chained = {sig: signal.getsignal(sig) for sig in interrupts.SIGNALS}

    def asked(signum: int, frame: Any) -> None:
        stop.set()
        handler = chained[signal.Signals(signum)]
        if callable(handler):
            handler(signum, frame)

    for sig in interrupts.SIGNALS:
        signal.signal(sig, asked)
    monitor = None
    try:
        with ExitStack() as stack:
            mail = stack.enter_context(mailbox.open_mail_source(target))
            base_url = target.base_url
            if target.is_demo:  # the embedded demo store, kept for the whole monitor (never reset)
                from checkout_tester.demostore import DemoStore

                store = stack.enter_context(DemoStore(port=target.demo_store.port, faults=target.demo_store.faults,
                                                      **mailbox.smtp_address(mail)))
                base_url = store.url
            session_args = (target, base_url, args.location, args.target)
            session_options = {"artifacts": args.artifacts, "mail": mail, "keep_days": args.keep_days,
                               "keep_mb": args.keep_mb, "recycle": args.recycle}
            sessions: list[MonitorSession] = [MonitorSession(*session_args, **session_options)]
            if args.concurrency > 1:  # N lanes, one browser: started by a keeper, joined over CDP
                from checkout_tester.monitor.shared_browser import BrowserKeeper, SharedBrowserSession

                keeper = BrowserKeeper(target)
                stack.callback(keeper.close)  # after the lanes have disconnected (callbacks run last-in first-out)
                sessions = [SharedBrowserSession(keeper, *session_args, **session_options)
                            for _ in range(args.concurrency)]
            sinks = outputs.sinks_from_options(args, history)
            stack.callback(outputs.close_sinks, sinks)  # queued alerts are delivered before exit
            try:  # before any browser starts: a taken port is a configuration mistake
                server = outputs.serve(args, history, status_app(history, budget_limits(flows, target),
                                                                 title=f"{target.name}: checkout-tester status"))
            except ConfigError as exc:
                return _errors(exc.problems)
            if server is not None:
                stack.callback(server.close)
                log.info("metrics at %s/metrics, status page at %s/", server.url, server.url)
            monitor = Monitor(sessions, flows, schedule, sinks)
            log.info("monitoring %d flow(s) against %s from %s, %d in flight at once; history: %s", len(flows),
                     base_url, args.location, args.concurrency,
                     history.engine.url.render_as_string(hide_password=True))
            try:
                monitor.start()
            except CheckoutTesterError as exc:  # no browser to launch, ...
                monitor.stop()
                return _errors([str(exc)])
            try:
                while not stop.wait(3600):
                    pass
            except KeyboardInterrupt:  # a second signal: stop now (the browser is still closed below)
                pass
            finally:
                log.info("stopping: %s", interrupts.requested() or "asked")
                monitor.stop()
    finally:
        interrupts.uninstall()
        history.close()
    if monitor is None:
        return 1
    log.info("stopped after %d run(s); %d tick(s) skipped", monitor.runs, sum(monitor.skipped.values()))
    return EXIT_INTERRUPTED if monitor.interrupted else 0


def show_history(args: argparse.Namespace) -> int:
    """`checkout-tester history`: the recorded runs as a table or JSON."""
    import json

    from checkout_tester.monitor.history import History

    try:
        since = datetime.now(timezone.utc) - timedelta(seconds=span_s(args.since, "--since"))
        history = History(args.history)
    except ValueError as exc:
        return _errors([str(exc)])
    except ConfigError as exc:
        return _errors(exc.problems)
    try:
        runs = history.runs(args.flow, since=since, location=args.location, limit=args.limit)
    finally:
        history.close()
    if args.json:
        print(json.dumps([run.as_json() for run in runs], indent=1, ensure_ascii=False))
        return 0
    from checkout_tester.monitor.history_table import print_table

    print_table(runs)
    return 0


def _logging() -> None:
    """One line per run on stderr; APScheduler's own lines stay quiet (ours say what it would)."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # our own line says when a tick was skipped
    driver = logging.getLogger("playwright")
    if not driver.handlers:  # else Python's last-resort handler prints them with a traceback
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_OneLine("%(asctime)s %(levelname)s playwright: %(message)s", "%Y-%m-%d %H:%M:%S"))
        driver.addHandler(handler)
        driver.propagate = False


class _OneLine(logging.Formatter):
    """Playwright's own errors as one line, without a traceback: e.g. an answer naming an object the killed
    browser took with it. The run it broke is recorded; a lane it leaves waiting is replaced (--run-timeout)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info:
            error = record.exc_info[1]
            said = str(error).splitlines()[0] if error is not None and str(error) else type(error).__name__
            record = logging.makeLogRecord({**record.__dict__, "msg": f"{record.getMessage()}: {said}", "args": None,
                                            "exc_info": None, "exc_text": None})
        return super().format(record)
