"""Alerts from real runs against the demo store, delivered to a real local webhook receiver."""
from __future__ import annotations

import dataclasses
import logging
import time

import pytest

from checkout_tester.monitor.alerts import AlertState, target_redactor
from checkout_tester.monitor.record import RunRecord
from checkout_tester.monitor.webhooks import AlertSink, Webhook
from checkout_tester.target.config_file import load_target
from tests.metrics.conftest import LOCATION, SECRET, again, free_port
from tests.metrics.receiver import Receiver


@pytest.fixture
def receiver() -> Receiver:
    server = Receiver(fail_first=("/generic",))  # the generic hook answers 503 once: delivered on a retry
    yield server
    server.close()


def _sink(receiver: Receiver, alert_after: int = 2) -> AlertSink:
    redactor = target_redactor(load_target("config/demo.yaml"))
    state = AlertState(alert_after, redactor=redactor, monitor_url="http://127.0.0.1:9464/")
    hooks = [Webhook(receiver.url + "/generic", wait_first=0.1), Webhook(receiver.url + "/slack", slack=True)]
    return AlertSink(state, hooks)


def _flaky(record: RunRecord, minutes: float) -> RunRecord:
    """A recheck that passed after a failure, as the monitor records it."""
    return dataclasses.replace(again(record, minutes), outcome="flaky", recheck=True)


def test_failing_after_two_failures_then_recovery_with_flaky_note(real_records: dict[str, RunRecord],
                                                                   receiver: Receiver) -> None:
    passed, failed, broken = real_records["passed"], real_records["failed"], real_records["broken"]
    sink = _sink(receiver)
    try:
        sink(passed)
        sink(again(failed, 1))  # one blip pages nobody
        assert sink.wait_idle(10) and receiver.posts == [] and sink.alerts == []
        sink(_flaky(passed, 2))  # a recheck that passed: neither green nor a page, the streak stays
        assert sink.alerts == []
        sink(again(broken, 3))  # the second failure in a row (the flaky run in between did not reset it)
        generic = receiver.wait_for("/generic", 1)[0]
        slack = receiver.wait_for("/slack", 1)[0]
        assert receiver.refused == ["/generic"]  # the 503 was retried

        assert generic["kind"] == "failing" and generic["state"] == "failing" and generic["previous"] == "ok"
        assert generic["flow"] == passed.flow and generic["location"] == LOCATION and generic["variant"] == ""
        assert generic["failure_class"] == broken.failure_class == "store unreachable"
        assert generic["failed_step"].startswith("1 goto") and "support.flow.yaml:5" in generic["failed_step"]
        assert "store unreachable" in generic["message"] and len(generic["message"].splitlines()) <= 6
        assert generic["consecutive_failures"] == 2 and generic["flaky_runs"] == 1
        assert generic["failing_since"] == again(failed, 1).started_at.isoformat()
        assert generic["evidence"] and all(link.startswith("file:///") for link in generic["evidence"])
        assert generic["reproduce"].startswith("checkout-tester run 'tests/metrics/fixtures/support.flow.yaml'")
        assert generic["monitor"] == "http://127.0.0.1:9464/"

        assert set(slack) >= {"text", "blocks"} and slack["text"].startswith("FAILING: Write to support at test-lab")
        assert slack["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": slack["text"].split("\n")[0]}}
        assert any(b["type"] == "section" and "fields" in b for b in slack["blocks"])
        assert "Reproduce: checkout-tester run" in slack["text"] and "Evidence: file:///" in slack["text"]

        sink(again(failed, 4))  # still failing: no new page
        sink(again(passed, 5))
        recovered = receiver.wait_for("/generic", 2)[1]
        assert recovered["kind"] == "recovered" and recovered["state"] == "ok"
        sink(again(real_records["degraded"], 6))
        sink(again(passed, 7))
        kinds = [b["kind"] for b in receiver.wait_for("/generic", 4)]
        assert kinds == ["failing", "recovered", "degraded", "ok"]
        assert [b["text"].split(":")[0] for b in receiver.wait_for("/slack", 4)] == \
               ["FAILING", "RECOVERED", "DEGRADED", "OK again"]
        notes = receiver.bodies("/generic")[2]["notes"]
        assert any(note.startswith("warning: ") and "Limit: 1500 ms" in note for note in notes), notes

        # The secret rode in the flow's URL and its form: no body has it, in any encoding.
        raw = b"".join(body for _, body in receiver.posts)
        assert SECRET.encode() not in raw
        assert "ref=••••••" in generic["message"]  # masked where it was
    finally:
        sink.close()


def test_restarted_monitor_does_not_page_again(real_records: dict[str, RunRecord], receiver: Receiver) -> None:
    failed = real_records["failed"]
    history = [again(failed, 3), again(failed, 2), real_records["passed"]]  # newest first, as history.runs() gives
    state = AlertState.from_history(history, alert_after=2)
    assert state.state_of(failed.key) == "failing"
    sink = AlertSink(state, [Webhook(receiver.url + "/after-restart")])
    try:
        sink(again(failed, 4))  # the incident was paged before the restart: silence
        sink(again(real_records["passed"], 5))
        body = receiver.wait_for("/after-restart", 1)[0]
        assert body["kind"] == "recovered" and sink.wait_idle(10) and len(receiver.posts) == 1
    finally:
        sink.close()


def test_unreachable_webhook_is_retried_logged_and_never_raises(real_records: dict[str, RunRecord],
                                                                caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{free_port()}/services/T000/B000/hook-token-xyz"  # nothing listens there
    sink = AlertSink(AlertState(alert_after=1), [Webhook(url, attempts=3, wait_first=0.05, wait_max=0.2)])
    caplog.set_level(logging.INFO, logger="checkout_tester.monitor")
    try:
        started = time.monotonic()
        sink(real_records["failed"])  # queues the alert and returns: the run never waits for a webhook
        assert time.monotonic() - started < 1
        assert sink.wait_idle(30)
        sink(again(real_records["passed"], 1))  # the sink still works after giving up
        assert sink.wait_idle(30)
    finally:
        sink.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "checkout_tester.monitor.webhooks"]
    retries = [line for line in lines if "retrying in" in line]
    gave_up = [line for line in lines if "gave up" in line]
    assert len(retries) == 4 and len(gave_up) == 2, lines  # 3 attempts per alert, 2 alerts
    assert "attempt 1 failed (" in retries[0] and "FAILING" in gave_up[0] and "RECOVERED" in gave_up[1]
    assert not any("hook-token-xyz" in line for line in lines)  # a webhook's path is its secret: never logged
