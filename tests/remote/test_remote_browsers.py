"""The shipped flows through remote browsers, as a user runs them: `checkout-tester run --target` with
`browser.connect` (Playwright's own browser server behind a proxy that wants a token) and `browser.cdp` (a Chromium
with a DevTools port), against the demo store as its own process with Janet's bug on."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from checkout_tester.flow.loader import load_flow
from checkout_tester.monitor.runner import MonitorSession
from checkout_tester.run import remote
from checkout_tester.session import Session
from checkout_tester.target.config_file import read_target
from tests.e2e.runner import Outcome, read_junit
from tests.live.store_process import StoreProcess, cli, free_port
from tests.remote.helpers import (
    LAUNCH_OPTIONS,
    ROOT,
    AuthProxy,
    DevToolsChromium,
    RunServer,
    files_containing,
    write_target,
)

pytestmark = pytest.mark.e2e
TOKEN = "remote-token-5f3a9c"  # what the proxy in front of the browser server wants; never in a report
CAPITALISED = {"signup[Janet.Doe@Example.com]", "signup[JANET.DOE@EXAMPLE.COM]"}


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[StoreProcess, int]]:
    """`checkout-tester store --fault uppercase-email`, kept for the module: it keeps its accounts and orders."""
    smtp_port = free_port()
    with StoreProcess(smtp_port, faults=("uppercase-email",)) as process:
        yield process, smtp_port


def _run(folder: Path, name: str, *args: str) -> tuple[dict[str, Outcome], str]:
    """`checkout-tester run ARGS --target remote.yaml` in `folder`: outcomes (JUnit) and its output."""
    junit = folder / f"{name}.xml"
    env = {**os.environ, "REMOTE_BROWSER_TOKEN": TOKEN}
    # one attempt, traced as it runs: tracing through the remote browser is the point (tests/retry: the retry)
    done = subprocess.run([*cli(), "run", *args, "--target", "remote.yaml", "--junitxml", str(junit),
                           "--retries=0", "--tracing=retain-on-failure"],
                          cwd=folder, capture_output=True, text=True, timeout=900, env=env)
    output = done.stdout + done.stderr
    assert junit.exists() and "Traceback" not in output, output
    return read_junit(junit), output


def _failed(outcomes: dict[str, Outcome]) -> set[str]:
    return {name for name, outcome in outcomes.items() if outcome.outcome != "passed"}


def _evidence(folder: Path, failed: set[str]) -> None:
    """Each failing variant left a trace (and a screenshot); timings.json holds the pages' browser timings."""
    kept = [p for p in (folder / "reports" / "test-results").iterdir() if (p / "trace.zip").stat().st_size > 0]
    assert len(kept) == len(failed), kept
    timings = json.loads((folder / "reports" / "timings.json").read_text())
    pages = [page for run in timings["runs"] for page in run["pages"]]
    assert pages and all(page["ttfb_ms"] is not None for page in pages), pages
    assert any(page["load_ms"] and page["fcp_ms"] for page in pages), pages


def test_shipped_flows_through_a_playwright_browser_server_that_wants_a_token(
        tmp_path: Path, store: tuple[StoreProcess, int]) -> None:
    process, smtp_port = store
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    with RunServer() as server, AuthProxy(server.port, TOKEN) as proxy:
        write_target(tmp_path, process.url, smtp_port, {
            "connect": f"ws://127.0.0.1:{proxy.port}/",
            "headers": {"Authorization": "Bearer {{ secret.BROWSER_TOKEN }}",
                        "x-playwright-launch-options": LAUNCH_OPTIONS}},
            secrets={"BROWSER_TOKEN": {"env": "REMOTE_BROWSER_TOKEN"}})
        # every shipped flow file but signup_equivalents (signup again, nine ways: time the suite can save)
        first, output = _run(tmp_path, "first", "flows", "-k", "not signup_equivalents")
        assert len(first) == 7 and _failed(first) == CAPITALISED, output
        assert "visible error message" in output  # the detector fired
        assert proxy.accepted >= 1 and proxy.refused == 0  # the token went through the proxy to the server
        _evidence(tmp_path, CAPITALISED)
        connections = proxy.accepted
        assert TOKEN not in output and not files_containing(tmp_path, TOKEN)  # reports, traces, JUnit, Allure

        shutil.rmtree(tmp_path / "reports")  # same store, no reset, a new connection; video recorded by the server
        second, output = _run(tmp_path, "second", "flows/signup.flow.yaml", "--video", "retain-on-failure")
        assert _failed(second) == CAPITALISED, output
        assert proxy.accepted > connections
        _evidence(tmp_path, _failed(second))
        videos = list((tmp_path / "reports" / "test-results").glob("*/video.webm"))
        assert len(videos) == 2 and all(v.stat().st_size > 0 for v in videos)  # fetched from the server's side
    assert TOKEN not in output and not files_containing(tmp_path, TOKEN)


def test_shipped_flows_through_a_chromium_devtools_port(tmp_path: Path, store: tuple[StoreProcess, int]) -> None:
    process, smtp_port = store
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    with DevToolsChromium(tmp_path / "profile") as chromium:
        write_target(tmp_path, process.url, smtp_port, {"cdp": chromium.endpoint})
        for name, flows in (("first", ["flows/checkout_card.flow.yaml", "flows/signup.flow.yaml"]),
                            ("second", ["flows/signup.flow.yaml"])):  # twice: the store keeps what the first made
            shutil.rmtree(tmp_path / "reports", ignore_errors=True)
            outcomes, output = _run(tmp_path, name, *flows)
            assert "signup[janet.doe@example.com]" in outcomes and len(outcomes) == len(flows) + 2, output
            assert _failed(outcomes) == CAPITALISED, output
            assert "visible error message" in output
            _evidence(tmp_path, _failed(outcomes))
        assert chromium.process is not None and chromium.process.poll() is None  # runs disconnect, never close it


def test_the_monitor_reconnects_when_the_connection_drops(tmp_path: Path, store: tuple[StoreProcess, int],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    process, smtp_port = store
    monkeypatch.setenv("REMOTE_BROWSER_TOKEN", TOKEN)
    flow = load_flow(ROOT / "tests" / "monitor" / "fixtures" / "cart.flow.yaml")
    with RunServer() as server, AuthProxy(server.port, TOKEN) as proxy:
        browser = {"connect": f"ws://127.0.0.1:{proxy.port}/",
                   "headers": {"Authorization": "Bearer {{ secret.BROWSER_TOKEN }}",
                               "x-playwright-launch-options": LAUNCH_OPTIONS}}
        secrets = {"BROWSER_TOKEN": {"env": "REMOTE_BROWSER_TOKEN"}}
        target = read_target(write_target(tmp_path, process.url, smtp_port, browser, secrets))
        with MonitorSession(target, process.url, "lab", "remote.yaml", artifacts=tmp_path / "artifacts") as session:
            assert session.run_record(flow, flow.variant_rows[0]).outcome == "passed"
            proxy.drop_all()  # the network between us and the browser server fails
            again = session.run_record(flow, flow.variant_rows[0])
            assert again.outcome == "passed", again.message
            assert session.launches == 2 and proxy.accepted == 2

        monkeypatch.setenv("REMOTE_BROWSER_TOKEN", "a-wrong-token")  # the server's side refuses the upgrade
        wrong = read_target(tmp_path / "remote.yaml")
        with pytest.raises(remote.BrowserUnreachable) as refused:
            Session(wrong, process.url).start()
    message = str(refused.value)
    assert "401" in message and "a-wrong-token" not in message and "remote.yaml:" in message, message
