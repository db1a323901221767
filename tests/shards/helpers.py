"""Collect or run flows in processes of their own, several at once (collection is CPU-light, startup is not)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("checkout-tester")
FIXTURES = Path(__file__).parent / "fixtures"
WAIT_S = 300  # several processes at once on a loaded 2-core machine


def project(folder: Path, flows: Path = ROOT / "flows") -> Path:
    """A user's folder: a flows/ folder and the shipped configs."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(flows, folder / "flows")
    shutil.copytree(ROOT / "config", folder / "config")
    return folder


def start(cwd: Path, command: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A process in cwd, its output captured."""
    return subprocess.Popen(list(command), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    """Wait for a started process; its exit code and output."""
    out, err = process.communicate(timeout=WAIT_S)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def pytest_collect(*args: str) -> list[str]:
    """`pytest --collect-only -q ARGS` as a command line."""
    return [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args]


def collect_all(cwd: Path, runs: dict[str, list[str]],
                env: dict[str, dict[str, str]] | None = None) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run several command lines at once in cwd; name -> its finished process (exit code 0 asserted)."""
    started = {name: start(cwd, command, (env or {}).get(name)) for name, command in runs.items()}
    finished = {name: finish(process) for name, process in started.items()}
    for name, done in finished.items():
        assert done.returncode == 0, f"{name}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return finished


def ids_of(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The test ids a `--collect-only -q` run printed, in order."""
    return [line.strip() for line in done.stdout.splitlines() if "::" in line]


def timing_key(nodeid: str) -> str:
    """timings.json's key for a test id: flows/signup.flow.yaml::signup[X] -> flows/signup.flow.yaml[X]."""
    path, _, name = nodeid.partition("::")
    _, bracket, variant = name.partition("[")
    return f"{path}[{variant}" if bracket else path
