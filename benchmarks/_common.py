"""Shared helpers of the benchmarks: clocks, medians, spread, subprocess timing, the demo target."""
from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
CLI = str(Path(sys.executable).with_name("checkout-tester"))
PYTHON = sys.executable

# Run from anywhere: the flows, config/demo.yaml and reports/ are resolved against the repo root.
os.chdir(ROOT)
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))


def parser(doc: str | None, runs: int) -> argparse.ArgumentParser:
    """An argument parser with the common `--runs N` option."""
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--runs", type=int, default=runs, help=f"repetitions per side (default {runs})")
    return ap


@contextmanager
def clock(samples: list[float]) -> Iterator[None]:
    """Append the wall time of the with-block, in seconds, to `samples`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        samples.append(time.perf_counter() - started)


def median(samples: Sequence[float]) -> float:
    """The median of the samples."""
    return statistics.median(samples)


def spread(samples: Sequence[float]) -> str:
    """How noisy the samples were: min-max and the max/min ratio."""
    low, high = min(samples), max(samples)
    return f"min {low:.2f} s, max {high:.2f} s, max/min {high / low:.2f}" if low > 0 else "n/a"


def timed_run(cmd: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Wall time of a command in a fresh process; raise with its output if it fails."""
    return timed_output(cmd, env)[0]


def timed_output(cmd: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Wall time and standard output of a command in a fresh process; raise with its output if it fails."""
    started = time.perf_counter()
    done = subprocess.run(list(cmd), cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


def machine() -> str:
    """One line describing where the figures came from (cores, load)."""
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def demo_target():  # type: ignore[no-untyped-def]  # imported late: keeps `--help` fast
    """The shipped demo target (config/demo.yaml): the demo store's secrets, timeouts and browser."""
    from checkout_tester.target.config_file import load_target

    return load_target(ROOT / "config" / "demo.yaml")


def start_store(*options: str) -> tuple[subprocess.Popen[str], str]:
    """`checkout-tester store --port 0 OPTIONS`; returns the process and its URL."""
    store = subprocess.Popen([CLI, "store", "--port", "0", *options], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    assert store.stdout is not None
    for line in store.stdout:
        found = re.match(r"^Demo store: (http://\S+)", line)
        if found:
            return store, found.group(1)
    raise RuntimeError("the demo store exited before printing its URL")


def stop(process: subprocess.Popen[Any], wait_s: float = 120) -> None:
    """SIGTERM, as a service manager stops it; killed when it does not end in time."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        process.kill()
