"""The monitor's outputs: its command-line options and the sinks each run's RunRecord goes to, in order.

A sink is any callable `(record: RunRecord) -> None`: history first, then metrics (served on --port with the
status page) and alerts (--alert-after) with their webhooks. `sinks_from_options` keeps the FlowMetrics it builds on `args.metrics`, so `serve(args, ...)` serves that one.
At exit the monitor calls `close_sinks(sinks)`: the alert sink delivers what is still queued (10 s at most).
"""
from __future__ import annotations

import argparse
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import urlsplit

from checkout_tester.base.errors import ConfigError
from checkout_tester.monitor.alerts import AlertState, target_redactor
from checkout_tester.monitor.metrics import FlowMetrics, MetricsServer, serve as serve_metrics
from checkout_tester.monitor.record import RunRecord
from checkout_tester.monitor.webhooks import AlertSink, Webhook

log = logging.getLogger(__name__)
Sink = Callable[[RunRecord], None]
REBUILD_DAYS = 7  # how far back history is read to rebuild the alert state at start


def _http_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL; give e.g. http://127.0.0.1:9000/hook")
    return text


def _whole(text: str, low: int, high: int, fix: str) -> int:
    """An argparse type: a whole number in [low, high], else the fix."""
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{text!r}{fix}")
    return value


def _at_least_one(text: str) -> int:
    return _whole(text, 1, 10**9, ": give a whole number of runs, 1 or more (default 2)")


def at_least_one_lane(text: str) -> int:
    """--concurrency: a whole number of flows in flight, 1 to 32."""
    return _whole(text, 1, 32, ": give the number of flows in flight at once, 1 to 32 (default 1)")


def _port(text: str) -> int:
    return _whole(text, 0, 65535, " is not a port; give 0-65535 (0: a free one)")


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """The monitor's options for metrics, the status page's port, alerts and webhooks."""
    group = parser.add_argument_group("metrics and alerts")
    group.add_argument("--port", type=_port, default=None, metavar="P",
                       help="serve /metrics (Prometheus) and the status page at / on 127.0.0.1:P (0: a free port)")
    group.add_argument("--alert-after", type=_at_least_one, default=2, metavar="N",
                       help="alert when a flow variant failed N runs in a row (default 2: one blip pages nobody)")
    group.add_argument("--webhook", action="append", default=[], type=_http_url, metavar="URL",
                       help="POST each alert as JSON to URL (repeatable)")
    group.add_argument("--slack-webhook", action="append", default=[], type=_http_url, metavar="URL",
                       help="POST each alert to a Slack incoming webhook (repeatable)")
    group.add_argument("--monitor-url", type=_http_url, default=None, metavar="URL",
                       help="the status page's address as alert readers reach it, linked in alerts "
                            "(default http://127.0.0.1:P/ with --port)")


def sinks_from_options(args: argparse.Namespace, history: Any) -> list[Sink]:
    """The sinks for these options, in order: history, metrics, alerts (state rebuilt from history)."""
    sinks: list[Sink] = []
    if history is not None:
        sinks.append(history.add)
    metrics = FlowMetrics()
    args.metrics = metrics  # serve() serves this registry
    sinks.append(metrics)
    sinks.append(alert_sink(args, history))
    return sinks


def alert_sink(args: argparse.Namespace, history: Any) -> AlertSink:
    """The alert sink: state rebuilt from recent history (a restart re-pages nobody), webhooks from the options."""
    port = getattr(args, "port", None)
    monitor_url = getattr(args, "monitor_url", None) or (f"http://127.0.0.1:{port}/" if port else "")
    options: dict[str, Any] = {"redactor": _redactor(args), "monitor_url": monitor_url}
    after = getattr(args, "alert_after", 2)
    past: list[RunRecord] = []
    if history is not None:
        past = history.runs(since=datetime.now(timezone.utc) - timedelta(days=REBUILD_DAYS))
    state = AlertState.from_history(past, after, **options)
    hooks = [Webhook(url) for url in getattr(args, "webhook", [])]
    hooks += [Webhook(url, slack=True) for url in getattr(args, "slack_webhook", [])]
    return AlertSink(state, hooks)


def _redactor(args: argparse.Namespace) -> Any:
    """The target's secret values, masked again in alert bodies (records are masked already)."""
    path = getattr(args, "target", None)
    if not path:
        return None
    from checkout_tester.base.errors import CheckoutTesterError
    from checkout_tester.target.config_file import load_target

    try:
        return target_redactor(load_target(path))
    except CheckoutTesterError:
        return None  # the monitor's preflight reports a bad target


def serve(args: argparse.Namespace, history: Any = None,
          status_page: Callable[[], str] | None = None) -> MetricsServer | None:
    """Start the HTTP server on --port (None without it): /metrics and the status page at /.

    A port that is taken raises ConfigError naming --port and the fix (before any browser starts)."""
    port = getattr(args, "port", None)
    if port is None:
        return None
    metrics = getattr(args, "metrics", None) or FlowMetrics()
    try:
        return serve_metrics(metrics, port, status_page)
    except OSError as exc:
        raise ConfigError(f"--port {port}: cannot serve on 127.0.0.1:{port} ({exc.strerror or exc}); "
                          "stop what listens there or give another port (0: a free one)") from None


def close_sinks(sinks: list[Sink], timeout: float = 10) -> None:
    """Close the sinks that hold something open (the alert sink's delivery thread), never raising."""
    for sink in sinks:
        if isinstance(sink, AlertSink):
            try:
                sink.close(timeout)
            except Exception:  # exiting anyway: say so, do not mask the monitor's own exit
                log.exception("closing %r failed", sink)


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
