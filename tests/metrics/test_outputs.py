"""The monitor's output options: parsed as the monitor parses them, wired into sinks and the HTTP server."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from checkout_tester.base.errors import ConfigError
from checkout_tester.monitor.history import History
from checkout_tester.monitor.outputs import add_output_options, close_sinks, serve, sinks_from_options
from checkout_tester.monitor.record import RunRecord
from checkout_tester.monitor.webhooks import AlertSink
from tests.metrics.conftest import again
from tests.metrics.receiver import Receiver
from tests.metrics.servers import get
from tests.metrics.test_metrics import samples


def sql_history(folder: Path, records: list[RunRecord]) -> History:
    """The monitor's SQLite history holding these records."""
    history = History(f"sqlite:///{folder}/history.db")
    for record in records:
        history.add(record)
    return history


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="checkout-tester monitor")
    add_output_options(parser)
    return parser.parse_args(list(argv))


def test_options_build_history_metrics_and_alert_sinks(real_records: dict[str, RunRecord], tmp_path: Path) -> None:
    failed, passed = real_records["failed"], real_records["passed"]
    history = sql_history(tmp_path, [failed, again(failed, 1)])  # paged before a restart
    receiver = Receiver()
    args = parse("--port", "0", "--alert-after", "2", "--webhook", receiver.url + "/hook")
    sinks = sinks_from_options(args, history)
    *_, alerts = sinks
    assert isinstance(alerts, AlertSink)
    server = serve(args, history, status_page=lambda: "status")
    assert server is not None
    try:
        for sink in sinks:
            sink(again(failed, 2))  # still the same incident: no page after the restart
            sink(again(passed, 3))
        assert alerts.wait_idle(10)
        assert [b["kind"] for b in receiver.bodies("/hook")] == ["recovered"]
        assert len(history.runs()) == 4  # the history sink came first
        scraped = samples(get(server.url + "/metrics").decode())
        runs = {labels["outcome"]: v for n, labels, v in scraped if n == "checkout_flow_runs_total"}
        assert runs["failed"] == 1 and runs["passed"] == 1
        assert get(server.url + "/").decode() == "status"
        with pytest.raises(ConfigError, match=f"--port {server.port}: cannot serve on 127.0.0.1:{server.port}"):
            serve(parse("--port", str(server.port)), history)
    finally:
        server.close()
        receiver.close()
        close_sinks(sinks)


@pytest.mark.parametrize("argv, message", [
    (["--webhook", "hooks.example/x"], "argument --webhook: 'hooks.example/x' is not an http(s) URL"),
    (["--alert-after", "0"], "argument --alert-after: '0': give a whole number of runs, 1 or more"),
    (["--port", "http"], "argument --port: 'http' is not a port; give 0-65535"),
])
def test_bad_options_are_named_with_their_fix(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(*argv)
    assert exited.value.code == 2 and message in capsys.readouterr().err
