"""The monitor as a user starts it, against the demo store as its own process on a port that survives restarts."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path
from types import TracebackType

import yaml
from sqlalchemy.exc import SQLAlchemyError

from checkout_tester.base.errors import ConfigError
from checkout_tester.monitor.history import History
from checkout_tester.monitor.record import RunRecord
from tests.live.store_process import StoreProcess, free_port
from tests.output.helpers import CLI, WAIT_S, alive, browsers_of, descendants, wait_for

FLOWS = Path(__file__).parent / "fixtures"  # copied to the project as flows/
SECRET = "correct-horse-42"
__all__ = ["CLI", "WAIT_S", "alive", "browsers_of", "descendants", "wait_for"]


class Store(StoreProcess):
    """The demo store on a fixed port, so the monitor's target stays right across a stop and a start."""

    def __init__(self, port: int = 0) -> None:
        super().__init__(smtp_port=free_port())
        self.port = port or free_port()
        self.args[self.args.index("--port") + 1] = str(self.port)
        self.token = ""

    def __enter__(self) -> Store:
        super().__enter__()
        found = [re.match(r"Admin token: (\S+)", line) for line in self.output]
        self.token = next(m.group(1) for m in found if m)
        return self

    def stop(self) -> None:
        """Stop the store (the monitor's next runs find nobody answering); __enter__ starts it again."""
        self.__exit__(None, None, None)
        while self._lines.get(timeout=WAIT_S) is not None:  # the old reader is done before the next start
            pass
        self.url = ""
        self.output.clear()

    def set_faults(self, *faults: str) -> None:
        """Switch faults on (none: all off) through the store's admin hook."""
        request = urllib.request.Request(f"{self.url}/__admin/faults", data=json.dumps({"faults": list(faults)}).encode(),
                                         headers={"X-Admin-Token": self.token, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.loads(response.read())["faults"] == list(faults)


def project(folder: Path, store: Store) -> Path:
    """A user's folder: our flows and a target for the store (with the secret the search flow types)."""
    shutil.copytree(FLOWS, folder / "flows")
    target = {"name": "live-demo", "base_url": f"http://127.0.0.1:{store.port}",
              "timeouts": {"step": "5s", "navigation": "10s", "expect": "5s"},
              "secrets": {"SHOP_PASSWORD": {"env": "MONITOR_TEST_PASSWORD", "default": SECRET}}}
    (folder / "live.yaml").write_text(yaml.safe_dump(target, sort_keys=False), encoding="utf-8")
    return folder


class MonitorProcess:
    """`checkout-tester monitor --target live.yaml ...` in its own process group; its log in a file."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.folder = folder
        self.log = folder / "monitor.log"
        self.args = [str(CLI), "monitor", "--target", "live.yaml", "--location", "test-lab", *args]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> MonitorProcess:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(self.args, cwd=self.folder, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def wait(self, timeout: float = WAIT_S) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait()


def runs(folder: Path) -> list[RunRecord]:
    """What the history holds, oldest first."""
    if not (folder / "reports" / "history.db").exists():
        return []
    try:
        history = History(f"sqlite:///{folder}/reports/history.db")
    except (ConfigError, SQLAlchemyError):  # the monitor is creating its database this very moment
        return []
    try:
        return list(reversed(history.runs()))
    except SQLAlchemyError:  # the monitor is creating its database this very moment
        return []
    finally:
        history.close()


def wait_runs(folder: Path, what: str, condition: object, monitor: MonitorProcess) -> list[RunRecord]:
    """Poll the history until `condition(runs)` holds; fail with the monitor's log."""
    def check() -> list[RunRecord] | None:
        found = runs(folder)
        if monitor.process is not None and monitor.process.poll() is not None:
            raise AssertionError(f"the monitor exited ({monitor.process.returncode}):\n{monitor.output()}")
        return found if condition(found) else None  # type: ignore[operator]

    try:
        return wait_for(check, what)  # type: ignore[return-value]
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{monitor.output()}") from None
