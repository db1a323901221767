"""The DemoStore object's lifecycle and the foreground command."""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from checkout_tester.demostore import DemoStore
from checkout_tester.demostore.__main__ import main

SRC = Path(__file__).resolve().parents[2] / "src"


def test_start_stop_and_separate_origins() -> None:
    store = DemoStore(port=0, wallet_port=0, faults=["uppercase-email"], host="127.0.0.1")
    store.start()
    try:
        assert store.url.startswith("http://127.0.0.1:") and store.port > 0
        assert store.wallet_url.startswith("http://127.0.0.1:") and store.wallet_port != store.port
        assert store.faults == ["uppercase-email"]
        with urllib.request.urlopen(store.url + "/", timeout=5) as resp:
            assert resp.status == 200
        db_dir = Path(store.db.path).parent  # type: ignore[union-attr]
        assert db_dir.exists()
    finally:
        store.stop()
    assert not db_dir.exists()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(store.url + "/", timeout=2)


def test_stores_are_independent() -> None:
    with DemoStore() as one, DemoStore() as two:
        assert one.url != two.url and one.admin_token != two.admin_token
        assert one.db.path != two.db.path  # type: ignore[union-attr]


def test_busy_port_raises_oserror(store: DemoStore) -> None:
    with pytest.raises(OSError):
        DemoStore(port=store.port).start()


def test_main_rejects_unknown_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "0", "--fault", "bogus"]) == 2
    err = capsys.readouterr().err
    assert "bogus" in err and "wallet-down" in err


def test_main_help_lists_faults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--wallet-port" in out and "slow:PATH:MS" in out and "cart-drops-items" in out


def test_module_runs_in_foreground_until_interrupted() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "checkout_tester.demostore", "--port", "0", "--fault", "support-500"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        assert ready, "the store printed nothing"
        banner = proc.stdout.readline()  # type: ignore[union-attr]
        assert banner.startswith("Demo store: http://127.0.0.1:") and "faults: support-500" in banner
        url = banner.split()[2]
        assert "wallet: http://127.0.0.1:" in banner
        assert proc.stdout.readline().startswith("Admin token: ")  # type: ignore[union-attr]
        with urllib.request.urlopen(url + "/", timeout=5) as resp:
            assert resp.status == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
