"""Remote browser settings found wrong before any browser starts: each mistake at its target file:line with the fix;
an endpoint that does not answer stops `checkout-tester run` with exit code 2 and one line."""
from __future__ import annotations

import http.server
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

from checkout_tester.base.errors import ConfigError
from checkout_tester.base.redaction import Redactor
from checkout_tester.target import preflight
from checkout_tester.target.config_file import read_target
from tests.e2e.runner import read_junit
from tests.live.store_process import cli, free_port
from tests.remote.helpers import ROOT, AuthProxy, files_containing


def _target(tmp_path: Path, browser: str, secrets: str = "") -> Path:
    path = tmp_path / "remote.yaml"
    path.write_text(f"name: remote\nbase_url: demo\nbrowser:\n{browser}{secrets}", encoding="utf-8")
    return path


@pytest.mark.parametrize(("browser", "line", "words"), [
    ("  connect: ws://127.0.0.1:3000/\n  cdp: http://127.0.0.1:9222\n", 3, "keep one: connect:"),
    ("  connect: http://127.0.0.1:9222\n", 4, "use cdp:"),
    ("  cdp: ftp://127.0.0.1:9222\n", 4, "write it like cdp: http://127.0.0.1:9222"),
    ("  connect: ws://127.0.0.1:3000/\n  headless: false\n", 3, "remove headless"),
    ("  headers: {Authorization: Bearer x}\n", 3, "add connect: or cdp:"),
    ("  connect: ws://127.0.0.1:3000/\n  headers: {Authorization: 'Bearer {{ token }}'}\n", 5,
     "write {{ secret.NAME }}"),
], ids=["connect-and-cdp", "http-connect", "ftp-cdp", "headless-with-connect", "headers-alone", "header-reads-var"])
def test_a_wrong_browser_setting_names_its_line_and_the_fix(tmp_path: Path, browser: str, line: int,
                                                            words: str) -> None:
    with pytest.raises(ConfigError) as error:
        read_target(_target(tmp_path, browser))
    assert len(error.value.problems) == 1, error.value.problems
    assert error.value.problems[0].startswith(f"{tmp_path / 'remote.yaml'}:{line}: browser"), error.value.problems
    assert words in error.value.problems[0], error.value.problems


def test_header_values_are_secrets_and_a_missing_one_is_named_at_its_line(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    browser = ("  connect: ws://127.0.0.1:3000/?token={{ secret.GRID_TOKEN }}\n"
               "  headers:\n    Authorization: 'Bearer {{ secret.BROWSER_TOKEN }}'\n    X-Team: checkout-qa\n")
    secrets = "secrets:\n  BROWSER_TOKEN: {env: REMOTE_TEST_TOKEN}\n  GRID_TOKEN: {env: REMOTE_GRID_TOKEN}\n"
    monkeypatch.delenv("REMOTE_TEST_TOKEN", raising=False)
    monkeypatch.setenv("REMOTE_GRID_TOKEN", "grid-9f8e7d")
    target = read_target(_target(tmp_path, browser, secrets))
    problems = preflight.check_browser(target)
    assert problems == [f"{target.source}:6: secret BROWSER_TOKEN has no value; export REMOTE_TEST_TOKEN "
                        f"(the target maps BROWSER_TOKEN to it at {target.source}:9)"]

    monkeypatch.setenv("REMOTE_TEST_TOKEN", "tok-1a2b3c")
    assert target.browser_headers() == {"Authorization": "Bearer tok-1a2b3c", "X-Team": "checkout-qa"}
    assert target.browser_endpoint() == "ws://127.0.0.1:3000/?token=grid-9f8e7d"
    masked = Redactor(target.secret_values())("sent Bearer tok-1a2b3c for checkout-qa to ?token=grid-9f8e7d")
    assert "tok-1a2b3c" not in masked and "checkout-qa" not in masked and "grid-9f8e7d" not in masked


@pytest.fixture
def not_devtools() -> Iterator[str]:
    """An HTTP server that answers 404 to everything: something, but not a DevTools endpoint."""
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_cdp_endpoint_that_is_no_devtools_is_named(tmp_path: Path, not_devtools: str) -> None:
    target = read_target(_target(tmp_path, f"  cdp: {not_devtools}\n"))
    problems = preflight.check_browser(target, timeout_s=30)
    assert len(problems) == 1 and "is not a Chrome DevTools endpoint (/json/version answered 501)" in problems[0]
    assert f"fix browser.cdp at {target.source}:4" in problems[0], problems


def test_an_unreachable_endpoint_stops_the_run_with_exit_2_and_one_line(tmp_path: Path) -> None:
    port = free_port()  # nobody listens there
    path = _target(tmp_path, f"  connect: ws://127.0.0.1:{port}/?token=tok-5e6f7a\n")
    done = subprocess.run([*cli(), "run", str(ROOT / "flows" / "add_to_cart.flow.yaml"), "--target", str(path),
                           "-p", "no:cacheprovider"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    errors = [line for line in output.splitlines() if line.startswith("ERROR")]
    assert done.returncode == 2 and errors == [
        f"ERROR: remote browser unreachable: ws://127.0.0.1:{port}/ did not answer (Connection refused); "
        f"start it or fix browser.connect at {path}:4"], output
    assert "Traceback" not in output and "tok-5e6f7a" not in output  # the query is left out of the message

    port = free_port()
    target = read_target(_target(tmp_path, f"  cdp: http://127.0.0.1:{port}\n"))
    assert preflight.check_browser(target) == [
        f"remote browser unreachable: http://127.0.0.1:{port} did not answer (Connection refused); "
        f"start it or fix browser.cdp at {path}:4"]


def test_a_server_that_refuses_the_token_fails_each_flow_with_one_line(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with AuthProxy(free_port(), "the-right-token") as proxy:  # refuses before it would reach any server
        path = _target(tmp_path, f"  connect: ws://127.0.0.1:{proxy.port}/\n"
                                 "  headers: {Authorization: 'Bearer {{ secret.BROWSER_TOKEN }}'}\n",
                       "secrets:\n  BROWSER_TOKEN: {env: REMOTE_TEST_TOKEN}\n")
        monkeypatch.setenv("REMOTE_TEST_TOKEN", "a-wrong-token")
        junit = tmp_path / "junit.xml"
        done = subprocess.run([*cli(), "run", str(ROOT / "flows" / "add_to_cart.flow.yaml"),
                               str(ROOT / "flows" / "contact_support.flow.yaml"), "--target", str(path),
                               "-p", "no:cacheprovider", "--junitxml", str(junit), "--retries=0"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 1 and proxy.refused >= 1 and "Traceback" not in output, output
    messages = {o.message.strip() for o in read_junit(junit).values()}
    assert len(read_junit(junit)) == 2 and len(messages) == 1, messages
    assert messages.pop().endswith(f"401 Unauthorized); start it, or fix browser.connect or its headers at {path}:4")
    assert "a-wrong-token" not in output and not files_containing(tmp_path, "a-wrong-token")
