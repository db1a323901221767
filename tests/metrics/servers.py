"""Real Prometheus and Pushgateway processes (Debian's packages) on free ports of 127.0.0.1, for the tests."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.metrics.conftest import free_port

STARTUP_TIMEOUT_S = 60  # a loaded 2-core machine


def need(binary: str) -> str:
    """The binary's path; the Makefile's `system` target installs it (Debian packages prometheus, prometheus-pushgateway)."""
    import pytest

    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed; run `make system` (Debian packages prometheus, prometheus-pushgateway)")
    return path


def get(url: str, timeout: float = 5) -> bytes:
    """GET a URL's body."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return bytes(response.read())


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll url until it answers 200 (or the process dies, or the time runs out)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited: {log.read_text()[-2000:]}")
        try:
            get(url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer in {STARTUP_TIMEOUT_S} s: {log.read_text()[-2000:]}") from None
        time.sleep(0.1)  # polling the condition above, with a deadline


class Server:
    """A server process started with its arguments, stopped on exit."""

    def __init__(self, args: list[str], ready_path: str, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [a.replace("{port}", str(self.port)) for a in args]
        self.ready_path, self.log = ready_path, workdir / f"{Path(args[0]).name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(self.args, stdout=out, stderr=subprocess.STDOUT)
        wait_until_ready(self.url + self.ready_path, self.process, self.log)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def prometheus(workdir: Path, scrape_target: str) -> Server:
    """Prometheus scraping `scrape_target` (host:port) every second, storage in workdir."""
    config = workdir / "prometheus.yml"
    config.write_text(f"""global: {{scrape_interval: 1s, evaluation_interval: 1s}}
scrape_configs:
  - job_name: checkout-tester-monitor
    static_configs: [{{targets: ["{scrape_target}"]}}]
""")
    return Server([need("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={workdir / 'data'}",
                   "--web.listen-address=127.0.0.1:{port}"], "/-/ready", workdir)


def pushgateway(workdir: Path) -> Server:
    """A Pushgateway with no persistence (Debian's build persists to /var/lib/prometheus/pushgateway.data unless
    told otherwise: every test's gateway would start with the metrics of the ones before)."""
    return Server([need("prometheus-pushgateway"), "--web.listen-address=127.0.0.1:{port}", "--persistence.file="],
                  "/-/ready", workdir)


def query(prometheus_url: str, expr: str) -> list[dict[str, Any]]:
    """An instant query through Prometheus's HTTP API: the result vector."""
    body = json.loads(get(f"{prometheus_url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"))
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def wait_for_value(prometheus_url: str, expr: str, expected: float, timeout: float = 60) -> float:
    """Poll a query until its single value equals `expected`; the last value seen is in the failure."""
    deadline, seen = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        result = query(prometheus_url, expr)
        seen = float(result[0]["value"][1]) if len(result) == 1 else result
        if seen == expected:
            return expected
        time.sleep(0.25)  # Prometheus scrapes every second: poll the condition, with a deadline
    raise AssertionError(f"{expr} = {seen}, expected {expected}")
