"""Configuration mistakes stop the run before any browser starts: one line each, exit code 2, no test run."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

FLOW = """\
name: Pay and get the receipt
steps:
  - goto: /
  - fill: {label: Card number, value: "{{ secret.TEST_CARD }}"}
  - expect_email: {to: a@example.com, subject: Receipt}
"""
CLI = [sys.executable, "-c", "import sys; from checkout_tester.cli.main import main; sys.exit(main())"]


def _free_port() -> int:
    with socket.socket() as sock:  # free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "pay.flow.yaml").write_text(FLOW, encoding="utf-8")
    port = _free_port()
    (tmp_path / "shop.yaml").write_text(f"name: shop\nbase_url: http://127.0.0.1:{port}\n"
                                        "secrets:\n  TEST_CARD: {env: SHOP_TEST_CARD}\n", encoding="utf-8")
    (tmp_path / "port").write_text(str(port))
    return tmp_path


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SHOP_TEST_CARD", "TEST_CARD")}
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run(cwd, sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--junitxml", "junit.xml", *args)


def _tests_run(cwd: Path) -> int:
    junit = cwd / "junit.xml"
    return int(ET.parse(junit).getroot().find("testsuite").get("tests", "0")) if junit.exists() else 0  # type: ignore[union-attr]


def _errors(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.removeprefix("ERROR: ") for line in done.stderr.splitlines() if line.startswith("ERROR: ")]


def test_secret_mail_and_unreachable_store_are_reported_together(project: Path) -> None:
    port = (project / "port").read_text()
    done = _pytest(project, "flows", "--target", "shop.yaml")
    assert done.returncode == 2, done.stdout + done.stderr
    assert _errors(done) == [
        "flows/pay.flow.yaml:4: secret TEST_CARD has no value; export SHOP_TEST_CARD "
        "(the target maps TEST_CARD to it at shop.yaml:4)",
        "flows/pay.flow.yaml:5: expect_email needs a mail sink and shop.yaml has none; add mail: {sink: smtp, "
        "port: 2525} to the target and point the store's SMTP host/port at 127.0.0.1:2525 (the demo store: "
        "--smtp-host 127.0.0.1 --smtp-port 2525), or read a catcher with mail: {sink: mailpit, "
        "url: http://127.0.0.1:8025}",
        f"store unreachable: http://127.0.0.1:{port} did not answer ([Errno 111] Connection refused); "
        "start the store or fix base_url at shop.yaml:2",
    ]
    assert "no tests ran" in done.stdout and _tests_run(project) == 0
    assert "Traceback" not in done.stdout + done.stderr


def test_checkout_tester_run_stops_the_same_way(project: Path) -> None:
    done = _run(project, *CLI, "run", "--target", "shop.yaml", "flows")
    assert done.returncode == 2, done.stdout + done.stderr
    assert len(_errors(done)) == 3 and "secret TEST_CARD has no value" in _errors(done)[0]
    assert "no tests ran" in done.stdout and "checkout-tester summary" not in done.stdout


def test_validate_runs_the_checks_without_running_anything(project: Path) -> None:
    done = _run(project, *CLI, "validate", "--target", "shop.yaml", "flows")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert [line.split(";")[0] for line in lines][:2] == ["flows/pay.flow.yaml:4: secret TEST_CARD has no value",
                                                         "flows/pay.flow.yaml:5: expect_email needs a mail sink "
                                                         "and shop.yaml has none"]
    assert lines[2].startswith("store unreachable: ")
    assert "1 flow file(s) and target shop.yaml checked, 3 error(s)" in done.stdout
    assert not (project / "junit.xml").exists()


def test_collect_only_skips_the_preflight(project: Path) -> None:
    done = _pytest(project, "flows", "--target", "shop.yaml", "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pay.flow.yaml::pay" in done.stdout


@pytest.mark.parametrize(("options", "message"), [
    (("--store-fault", "uppercase-emial"), "--store-fault uppercase-emial: unknown fault; the faults are: "
                                           "uppercase-email, slow:PATH:MS, wallet-down,"),
    (("--repeat", "0"), "--repeat 0: each flow runs at least once; give --repeat 1 or more"),
    (("--repeat", "-1"), "--repeat -1: each flow runs at least once; give --repeat 1 or more"),
    (("--var", "email"), "--var email: a variable needs a value; write --var NAME=VALUE, "
                         "e.g. --var email=janet@example.com"),
])
def test_a_wrong_option_is_one_line_and_exit_code_2(project: Path, options: tuple[str, ...], message: str) -> None:
    done = _pytest(project, "flows", *options)  # the embedded demo store: nothing else to complain about
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = _errors(done)
    assert line.startswith(message), line
    assert _tests_run(project) == 0


def test_a_broken_target_config_is_reported_at_its_line(project: Path) -> None:
    (project / "bad.yaml").write_text('name: x\nbase_url: demo\nerror_patterns: ["ok", "("]\n'
                                      "timeouts: {step: 10 parsecs}\n", encoding="utf-8")
    done = _run(project, *CLI, "run", "--target", "bad.yaml", "flows")
    assert done.returncode == 2, done.stdout + done.stderr
    assert _errors(done) == [
        "bad.yaml:4: timeouts.step: '10 parsecs' is not a duration; write it like 2s, 500ms or 1500",
        "bad.yaml:3: error_patterns entry '(' can't be used (not a regular expression: missing ), unterminated "
        'subpattern at position 0); escape special characters with a backslash, e.g. "\\\\(" in double quotes '
        "for a literal bracket",
    ]


def test_secret_values_are_never_printed(project: Path) -> None:
    port = (project / "port").read_text()
    (project / "shop.yaml").write_text(f"name: shop\nbase_url: http://127.0.0.1:{port}\n"
                                       "secrets:\n  TEST_CARD: {env: SHOP_TEST_CARD, default: '4242 9999'}\n")
    done = _pytest(project, "flows", "--target", "shop.yaml")
    assert done.returncode == 2
    assert "4242 9999" not in done.stdout + done.stderr and "TEST_CARD" not in done.stderr  # it has a value
