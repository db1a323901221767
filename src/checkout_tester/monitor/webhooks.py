"""Alert delivery to webhooks (generic JSON or Slack-compatible), retried with tenacity in a background thread.

The monitor's sink only queues an alert; one delivery thread posts it to every webhook in order, retrying a
failed post with exponential backoff (bounded in attempts and in time). A webhook that stays unreachable is
logged and given up on: nothing raises out of the sink and the monitor's runs never wait for a webhook.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from checkout_tester.monitor.alerts import Alert, AlertState
from checkout_tester.monitor.record import RunRecord

log = logging.getLogger(__name__)
COLOURS = {"failing": "#d93025", "recovered": "#188038", "degraded": "#f9ab00", "ok": "#188038"}


def safe_url(url: str) -> str:
    """A webhook's address for logs: scheme, host and port only (Slack's path is its secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.path.strip("/") else f"{parts.scheme}://{parts.netloc}"


def _retryable(exc: BaseException) -> bool:
    """Network errors, timeouts, 429 and 5xx are worth another try; another 4xx is a mistake that stays."""
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code == 429 or exc.code >= 500
    return isinstance(exc, OSError)  # URLError, refused, reset, timeout


def slack_body(alert: Alert) -> dict[str, Any]:
    """Slack's incoming-webhook shape: `text` (the fallback) and `blocks`."""
    r = alert.record
    fields = [("Flow", f"{r.flow_name} ({r.flow})"), ("Variant", r.variant or "-"), ("Location", r.location),
              ("Outcome", r.outcome)]
    if alert.kind == "failing":
        fields += [("Class", r.failure_class or "-"), ("Failed step", r.failed_step or "-")]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": alert.title[:150]}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in fields]},
    ]
    if alert.kind == "failing" and r.message:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"```{r.message}```"}})
    context = alert.notes() + [f"Evidence: {link}" for link in alert.evidence]
    if r.reproduce and alert.kind == "failing":
        context.append(f"Reproduce: `{r.reproduce}`")
    if alert.monitor_url:
        context.append(f"Monitor: <{alert.monitor_url}|status page>")
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": line[:3000]} for line in context]})
    return {"text": alert.text(), "blocks": blocks, "attachments": [{"color": COLOURS[alert.kind]}]}


class Webhook:
    """One webhook URL; send() posts an alert, retrying, and returns whether it was delivered. Never raises."""

    def __init__(self, url: str, slack: bool = False, attempts: int = 5, max_seconds: float = 60,
                 wait_first: float = 1, wait_max: float = 20, timeout: float = 10) -> None:
        self.url, self.slack, self.timeout = url, slack, timeout
        self.attempts, self.max_seconds, self.wait_first, self.wait_max = attempts, max_seconds, wait_first, wait_max

    def body(self, alert: Alert) -> dict[str, Any]:
        """The JSON body this webhook gets."""
        return slack_body(alert) if self.slack else alert.as_json()

    def send(self, alert: Alert) -> bool:
        """Post the alert; retry with exponential backoff; log and give up after the attempts or the time."""
        data = json.dumps(self.body(alert)).encode()
        retrying = Retrying(stop=stop_after_attempt(self.attempts) | stop_after_delay(self.max_seconds),
                            wait=wait_exponential(multiplier=self.wait_first, max=self.wait_max),
                            retry=retry_if_exception(_retryable), before_sleep=self._log_retry, reraise=True)
        try:
            retrying(self._post, data)
        except Exception as exc:
            log.error("webhook %s: gave up on alert %r: %s", safe_url(self.url), alert.title, _reason(exc))
            return False
        log.info("webhook %s: sent %s alert %r", safe_url(self.url), alert.kind, alert.title)
        return True

    def _post(self, data: bytes) -> None:
        request = urllib.request.Request(self.url, data=data, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": "checkout-tester-monitor"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read()

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.warning("webhook %s: attempt %d failed (%s); retrying in %.1f s", safe_url(self.url),
                    state.attempt_number, _reason(exc), wait)


def _reason(exc: BaseException | None) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


class AlertSink:
    """A monitor sink: updates the alert state with each record and queues its alert for delivery."""

    def __init__(self, state: AlertState, webhooks: list[Webhook]) -> None:
        self.state, self.webhooks = state, webhooks
        self.alerts: list[Alert] = []  # every alert raised, newest last
        self._queue: queue.Queue[Alert | None] = queue.Queue()
        self._thread = threading.Thread(target=self._deliver, name="alert-delivery", daemon=True)
        self._thread.start()

    def __call__(self, record: RunRecord) -> None:
        try:
            alert = self.state.update(record)
        except Exception:  # an alerting bug must not stop the monitor
            log.exception("alert state failed for %s", record.key)
            return
        if alert is not None:
            log.warning("alert: %s", alert.title)
            self.alerts.append(alert)
            if self.webhooks:
                self._queue.put(alert)

    def _deliver(self) -> None:
        while True:
            alert = self._queue.get()
            try:
                if alert is None:
                    return
                for hook in self.webhooks:
                    hook.send(alert)
            except Exception:
                log.exception("alert delivery failed")
            finally:
                self._queue.task_done()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued alert was delivered or given up on; False when the time ran out."""
        deadline = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._queue.all_tasks_done.wait(left)
        return True

    def close(self, timeout: float = 10) -> None:
        """Deliver what is queued (for at most `timeout` seconds), then stop the delivery thread."""
        self._queue.put(None)
        self._thread.join(timeout)
