"""Real RunRecords for the metrics and alert tests: one flow run against the demo store in each outcome."""
from __future__ import annotations

import dataclasses
import socket
import uuid
from datetime import timedelta

import pytest

from checkout_tester.monitor.alerts import target_redactor
from checkout_tester.monitor.record import RecordBuilder, RunRecord
from checkout_tester.target.config_file import load_target

FLOW = "tests/metrics/fixtures/support.flow.yaml"  # as the monitor is given it, from the repo root
SECRET = "correct-horse-42"  # config/demo.yaml's SHOP_PASSWORD: it must never leave a run
LOCATION = "test-lab"


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def real_records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunRecord]:
    """passed, failed (fault support-500), degraded (fault slow:/support:2000 over a 1.5 s TTFB budget) and
    broken (the store's port closed) runs of one flow, as the monitor records them."""
    from checkout_tester.session import demo_session

    target = load_target("config/demo.yaml")
    builder = RecordBuilder(LOCATION, target.name, target_redactor(target))
    artifacts = tmp_path_factory.mktemp("artifacts")
    records: dict[str, RunRecord] = {}
    with demo_session(target, listeners=[builder], artifacts=artifacts) as (session, store):
        for name, faults in (("passed", []), ("failed", ["support-500"]), ("degraded", ["slow:/support:2000"]),
                             ("broken", None)):
            if faults is None:
                session.base_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there: store unreachable
            else:
                store.set_faults(faults)
            try:
                session.run(FLOW)
            except Exception:  # the engine raises the failure after the events: the record has it
                pass
            assert builder.record is not None
            record = builder.record
            if record.outcome in ("failed", "broken"):  # as the monitor fills them: evidence, a reproduce command
                record.artifacts = [str(p) for p in sorted(artifacts.rglob("*")) if p.is_file()]
                record.reproduce = (f"checkout-tester run '{record.flow}' --target=config/demo.yaml"
                                    + "".join(f" --store-fault={f}" for f in faults or []))
            records[name] = record
    assert [r.outcome for r in records.values()] == ["passed", "failed", "degraded", "broken"], \
        [(r.outcome, r.message) for r in records.values()]
    return records


def again(record: RunRecord, minutes: float) -> RunRecord:
    """The same run as if it had happened `minutes` later (a new run id): a sequence of runs from real ones."""
    return dataclasses.replace(record, run_id=uuid.uuid4().hex,
                               started_at=record.started_at + timedelta(minutes=minutes))
