"""Prometheus metrics of monitored runs: a registry of their own, a sink that feeds it, an HTTP server, a push."""
from __future__ import annotations

import logging
import re
import threading
from socketserver import ThreadingMixIn
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app, push_to_gateway

from checkout_tester.monitor.record import OUTCOMES, PUSH_JOB, RunRecord

log = logging.getLogger(__name__)

FLOW_LABELS = ("flow", "variant", "location")
UP_OUTCOMES = ("passed", "degraded")  # checkout_flow_up is 1 only for these; a flaky recheck reads 0
# A whole flow takes seconds to a minute or two; a step or a page from tens of ms to its timeout.
FLOW_BUCKETS = (0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 120, 300)
STEP_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30)
# record.pages figure -> (metric, help, divisor to seconds; 1 for CLS, which has no unit)
PAGE_FIGURES = {
    "ttfb_ms": ("checkout_page_ttfb_seconds", "Time to first byte of the page in the latest run", 1000.0),
    "fcp_ms": ("checkout_page_fcp_seconds", "First contentful paint of the page in the latest run", 1000.0),
    "lcp_ms": ("checkout_page_lcp_seconds", "Largest contentful paint of the page in the latest run", 1000.0),
    "load_ms": ("checkout_page_load_seconds", "Page load (or route render) time in the latest run", 1000.0),
    "cls": ("checkout_page_cls", "Cumulative layout shift of the page in the latest run", 1.0),
}
MAX_PATH = 80
_ID_SEGMENT = re.compile(r"\d|^[0-9a-fA-F-]{16,}$")  # order numbers, tokens, uuids: one label value each would grow


def bounded_path(url: str) -> str:
    """A page's label: its path only (no host, query or fragment), id-like segments as ':id', at most 80 chars."""
    path = urlsplit(url).path or "/"
    segments = [":id" if _ID_SEGMENT.search(part) else part for part in path.split("/")]
    return "/".join(segments)[:MAX_PATH]


def step_label(step: dict[str, Any]) -> str:
    """A step's label: its number and verb ('3 click'); titles carry typed values, so they are left out."""
    verb = str(step.get("title", "")).split(" ", 1)[0]
    return f"{step.get('index', '?')} {verb}".strip()


class FlowMetrics:
    """The metrics of monitored runs in their own CollectorRegistry; call it with each RunRecord (a sink)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        reg = self.registry
        self.runs = Counter("checkout_flow_runs", "Flow variant runs by outcome (passed, degraded, failed, "
                            "broken, flaky)", [*FLOW_LABELS, "outcome"], registry=reg)
        self.failures = Counter("checkout_flow_failures", "Failed or broken runs by failure class",
                                [*FLOW_LABELS, "failure_class"], registry=reg)
        self.duration = Histogram("checkout_flow_duration_seconds", "Duration of a whole flow run",
                                  FLOW_LABELS, buckets=FLOW_BUCKETS, registry=reg)
        self.step_duration = Histogram("checkout_step_duration_seconds", "Duration of a passed step",
                                       [*FLOW_LABELS, "step"], buckets=STEP_BUCKETS, registry=reg)
        self.pages = {key: Gauge(name, doc, [*FLOW_LABELS, "step", "path"], registry=reg)
                      for key, (name, doc, _) in PAGE_FIGURES.items()}
        self.up = Gauge("checkout_flow_up", "1 when the flow variant's latest run passed or was degraded, else 0",
                        FLOW_LABELS, registry=reg)
        self.last_run = Gauge("checkout_flow_last_run_timestamp_seconds", "Start of the latest run (Unix time)",
                              FLOW_LABELS, registry=reg)
        self.last_success = Gauge("checkout_flow_last_success_timestamp_seconds",
                                  "Start of the latest passed or degraded run (Unix time)", FLOW_LABELS, registry=reg)
        self._lock = threading.Lock()

    def __call__(self, record: RunRecord) -> None:
        """Count the run and set its flow, step and page figures."""
        labels = {"flow": record.flow, "variant": record.variant, "location": record.location}
        with self._lock:
            for outcome in OUTCOMES:  # every outcome's series exists from the first run: ratios and rates work
                self.runs.labels(**labels, outcome=outcome)
            self.runs.labels(**labels, outcome=record.outcome).inc()
            if record.outcome in ("failed", "broken"):
                self.failures.labels(**labels, failure_class=record.failure_class or "unclassified").inc()
            self.duration.labels(**labels).observe(record.duration_ms / 1000)
            for step in record.steps:
                if step.get("status") == "passed" and step.get("ms") is not None:  # a failed step lasts its timeout
                    self.step_duration.labels(**labels, step=step_label(step)).observe(step["ms"] / 1000)
            for page in record.pages:
                where = {"step": str(page.get("step", "")), "path": bounded_path(str(page.get("url", "")))}
                for key, (_, _, divisor) in PAGE_FIGURES.items():
                    if isinstance(page.get(key), (int, float)):
                        self.pages[key].labels(**labels, **where).set(page[key] / divisor)
            started = record.started_at.timestamp()
            self.last_run.labels(**labels).set(started)
            up = record.outcome in UP_OUTCOMES
            self.up.labels(**labels).set(1 if up else 0)
            if up:
                self.last_success.labels(**labels).set(started)


# --- serving ---------------------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        log.debug("metrics server: " + format, *args)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    """One thread per request: a slow status page never holds up a Prometheus scrape."""

    daemon_threads = True


def placeholder_page() -> str:
    """The page at / until a status page is wired in."""
    return ("<!doctype html><html><head><meta charset='utf-8'><title>checkout-tester monitor</title></head>"
            "<body><h1>checkout-tester monitor</h1><p>Metrics: <a href='/metrics'>/metrics</a></p></body></html>")


def wsgi_app(registry: CollectorRegistry, status_page: Callable[[], str]) -> Callable[..., Iterable[bytes]]:
    """A WSGI app: /metrics from the registry, / the status page HTML, anything else 404."""
    metrics_app = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/metrics":
            return metrics_app(environ, start_response)
        if path in ("/", "/index.html"):
            try:
                body, status = status_page().encode(), "200 OK"
            except Exception:  # a broken page must not take the metrics down with it
                log.exception("status page failed")
                body, status = b"status page failed; see the monitor's log", "500 Internal Server Error"
            start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
            return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: try /metrics or /\n"]

    return app


class MetricsServer:
    """A small WSGI server thread on 127.0.0.1:port serving /metrics and the status page at /."""

    def __init__(self, registry: CollectorRegistry, port: int = 0, status_page: Callable[[], str] | None = None,
                 host: str = "127.0.0.1") -> None:
        app = wsgi_app(registry, status_page or placeholder_page)
        self._server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
        self.host, self.port = host, int(self._server.server_port)  # port 0: the free port it got
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics-server", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The server's base URL (http://127.0.0.1:PORT)."""
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MetricsServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(metrics: FlowMetrics, port: int, status_page: Callable[[], str] | None = None) -> MetricsServer:
    """Serve the metrics (and the status page) on 127.0.0.1:port; port 0 picks a free one."""
    server = MetricsServer(metrics.registry, port, status_page)
    log.info("metrics on %s/metrics, status page on %s/", server.url, server.url)
    return server


# --- batch runs: one push to a Pushgateway -------------------------------------------------------------


def push_records(gateway: str, records: Iterable[RunRecord], target: str, location: str,
                 timeout: float = 30, grouping: dict[str, str] | None = None) -> FlowMetrics:
    """Push one batch run's metrics to a Pushgateway: job checkout-tester, grouped by target and location
    (and `grouping`'s keys too, e.g. a shard's: each shard then keeps a group of its own).

    A PUT (push_to_gateway): the group then holds this batch's figures only, so a flow removed from the batch
    does not linger; counters count this batch (read checkout_flow_up and the timestamps across batches)."""
    metrics = FlowMetrics()
    for record in records:
        metrics(record)
    push_to_gateway(gateway, job=PUSH_JOB, registry=metrics.registry,
                    grouping_key={"target": target, "location": location, **(grouping or {})}, timeout=timeout)
    return metrics
