"""Concurrent flows when the store is the bottleneck: the shipped suite with every request 300 ms late.

Two pairs, each timed in the same run, whole processes:
  run:      `checkout-tester run -n 0 flows/` vs `-n 4` with `--store-fault slow:/:300` (the embedded demo store,
            one per xdist worker: each worker needs its own mail sink for expect_email), alternating.
  monitor:  `checkout-tester monitor --concurrency 1` vs `--concurrency 4 --every 1s` over the same flows against
            ONE demo store process started with `--fault slow:/:300`; flows per minute once warm.
Prints each side's figures and the speed-ups (target: at least 3x).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psutil
from _common import CLI, FLOWS, PYTHON, ROOT, machine, median, parser, spread, start_store as common_store, stop

FAULT = "slow:/:300"
CORES = os.cpu_count() or 1
SECRETS = ("secrets:\n  SHOP_PASSWORD: {env: DEMO_SHOP_PASSWORD, default: correct-horse-42}\n"
           "  CARD_NUMBER: {env: DEMO_CARD_NUMBER, default: '4242 4242 4242 4242'}\n")


class TreeCpu:
    """CPU seconds of every process below this one while it runs, each read every 0.2 s (its own time, not its
    children's: no double counting); a process that ends between two reads loses at most 0.2 s of it."""

    def __init__(self) -> None:
        self.seen: dict[tuple[int, float], float] = {}  # (pid, create time) -> CPU s at its last read
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> TreeCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())

    def _poll(self) -> None:
        me = psutil.Process()
        while True:
            for process in me.children(recursive=True):
                try:
                    times = process.cpu_times()
                    self.seen[(process.pid, process.create_time())] = times.user + times.system
                except psutil.Error:
                    continue
            if self._stop.wait(0.2):
                return


def run_side(workers: int, fault: str, flows: str = "flows") -> tuple[float, int, float]:
    """Wall time of `checkout-tester run -n W flows/`, how many tests passed, and the CPU seconds it used."""
    cmd = [CLI, "run", "-n", str(workers), "-q", "-p", "no:cacheprovider", f"--store-fault={fault}", flows]
    with tempfile.TemporaryDirectory(prefix="ct-conc-") as tmp:
        shutil.copytree(FLOWS, Path(tmp) / "flows")
        shutil.copytree(ROOT / "config", Path(tmp) / "config")
        started = time.perf_counter()
        with TreeCpu() as tree:
            done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, check=False)
        elapsed, cpu = time.perf_counter() - started, tree.seconds
    passed = re.search(r"(\d+) passed", done.stdout)
    if done.returncode != 0 or not passed:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return elapsed, int(passed.group(1)), cpu


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_store(fault: str, smtp_port: int) -> tuple[subprocess.Popen[str], str]:
    """The demo store as its own process, mailing to the monitor's sink; its process and URL."""
    return common_store(*(["--fault", fault] if fault else []), "--smtp-host", "127.0.0.1",
                        "--smtp-port", str(smtp_port))


def count_runs(database: Path) -> tuple[int, int]:
    """(runs, runs that passed or were degraded) in the monitor's history so far."""
    if not database.exists():
        return 0, 0
    try:
        with sqlite3.connect(database, timeout=30) as connection:
            rows = dict(connection.execute("SELECT outcome, count(*) FROM monitor_runs GROUP BY outcome").fetchall())
    except sqlite3.OperationalError:  # the monitor is creating it
        return 0, 0
    return sum(rows.values()), rows.get("passed", 0) + rows.get("degraded", 0)


def tree_cpu_seconds(root: psutil.Process) -> float:
    """CPU time of a process tree so far: live processes, and ended ones through the parent that reaped them."""
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def wait_runs(database: Path, count: int, monitor: subprocess.Popen[bytes]) -> tuple[int, int]:
    while True:
        found = count_runs(database)
        if found[0] >= count:
            return found
        if monitor.poll() is not None:
            raise RuntimeError(f"the monitor exited with {monitor.returncode}")
        time.sleep(0.2)  # a poll interval, not a wait for a result


def start_monitor(folder: Path, url: str, smtp_port: int, *options: str) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    """`checkout-tester monitor --every 1s --recheck 0 OPTIONS flows` in `folder` against the store at `url`
    (mail to its SMTP sink); returns the process and its open log file (close it after stopping)."""
    (folder / "live.yaml").write_text(f"name: bench\nbase_url: {url}\nmail: {{sink: smtp, port: {smtp_port}}}\n"
                                      "timeouts: {step: 30s, navigation: 30s, expect: 15s}\n" + SECRETS,
                                      encoding="utf-8")
    log = (folder / "monitor.log").open("wb")
    monitor = subprocess.Popen([CLI, "monitor", "--target", "live.yaml", "--every", "1s", "--recheck", "0",
                                *options, "flows"], cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    return monitor, log


def monitor_side(lanes: int, url: str, smtp_port: int, warm_up: int, runs: int) -> tuple[float, int, int, float]:
    """Flows per minute of `checkout-tester monitor --concurrency N --every 1s` after `warm_up` runs, and the CPU
    seconds per run of its whole process tree."""
    with tempfile.TemporaryDirectory(prefix="ct-conc-mon-") as tmp:
        folder = Path(tmp)
        shutil.copytree(FLOWS, folder / "flows")
        monitor, log = start_monitor(folder, url, smtp_port, "--concurrency", str(lanes))
        database = folder / "reports" / "history.db"
        try:
            first = wait_runs(database, warm_up, monitor)
            process = psutil.Process(monitor.pid)
            t0, cpu0 = time.perf_counter(), tree_cpu_seconds(process)
            last = wait_runs(database, first[0] + runs, monitor)
            elapsed, cpu = time.perf_counter() - t0, tree_cpu_seconds(process) - cpu0
        finally:
            stop(monitor)
            log.close()
        done = last[0] - first[0]
        return done / elapsed * 60, done, last[1] - first[1], cpu / done


def plain_side(workers: int, checkouts: int, fault: str) -> tuple[float, float]:
    """The hand-written ceiling: `checkouts` card checkouts in `workers` processes side by side (each its own
    store, mail sink and browser, as xdist workers have); (wall s, CPU s of every process)."""
    per = max(1, checkouts // max(workers, 1))
    cmd = [PYTHON, str(Path(__file__).with_name("defaults.py")), "--plain", "--repeat", str(per), "--fault", fault]
    started = time.perf_counter()
    with TreeCpu() as tree:
        procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL) for _ in range(max(workers, 1))]
        codes = [p.wait() for p in procs]
    if any(codes):
        raise RuntimeError(f"{' '.join(cmd)} exited {codes}")
    return time.perf_counter() - started, tree.seconds


def main() -> None:
    """Time both pairs; print flows per minute and the speed-ups."""
    ap = parser(__doc__, runs=2)
    ap.add_argument("--workers", type=int, default=4, help="xdist workers and monitor lanes (default 4)")
    ap.add_argument("--fault", default=FAULT, help=f"the store's fault (default {FAULT}: every request 300 ms late)")
    ap.add_argument("--side", choices=("run", "monitor", "both", "plain"), default="both",
                    help="plain: the ceiling, hand-written checkouts in N processes vs one")
    ap.add_argument("--checkouts", type=int, default=16, help="checkouts per plain side (default 16)")
    ap.add_argument("--monitor-runs", type=int, default=32, help="runs timed per monitor side (default 32)")
    args = ap.parse_args()
    lines = [f"machine: {machine()}; fault {args.fault}"]
    if args.side in ("run", "both"):
        sides: dict[int, list[float]] = {0: [], args.workers: []}
        cpus: dict[int, list[float]] = {0: [], args.workers: []}
        tests = 0
        for i in range(args.runs):
            for workers in ((0, args.workers) if i % 2 == 0 else (args.workers, 0)):
                elapsed, tests, cpu = run_side(workers, args.fault)
                sides[workers].append(elapsed)
                cpus[workers].append(cpu)
                print(f"  run -n {workers}: {elapsed:.1f} s, {cpu:.1f} CPU s ({tests} passed)", flush=True)
        serial, parallel = median(sides[0]), median(sides[args.workers])
        # Start-up: the same command with one short flow, so one worker runs it and the others only start.
        short = "flows/add_to_cart.flow.yaml"
        one = {w: run_side(w, args.fault, short)[0] for w in (0, args.workers)}
        print(f"  one short flow: -n 0 {one[0]:.1f} s, -n {args.workers} {one[args.workers]:.1f} s", flush=True)
        lines += [f"run -n 0: {' '.join(f'{t:.1f}' for t in sides[0])} s ({spread(sides[0])})",
                  f"run -n {args.workers}: {' '.join(f'{t:.1f}' for t in sides[args.workers])} s "
                  f"({spread(sides[args.workers])})",
                  f"CPU seconds per run (all processes): -n 0 {median(cpus[0]):.1f}, -n {args.workers} "
                  f"{median(cpus[args.workers]):.1f}; so on {CORES} cores -n {args.workers} takes at least "
                  f"{median(cpus[args.workers]) / CORES:.1f} s (speed-up bound {serial / (median(cpus[args.workers]) / CORES):.1f}x)",
                  f"start-up (one short flow through the whole command): -n 0 {one[0]:.1f} s, -n {args.workers} "
                  f"{one[args.workers]:.1f} s; without it the {tests} tests take -n 0 {serial - one[0]:.1f} s, "
                  f"-n {args.workers} {parallel - one[args.workers]:.1f} s "
                  f"({(serial - one[0]) / max(parallel - one[args.workers], 0.1):.2f}x)",
                  f"run: {serial / parallel:.2f}x speed-up (-n {args.workers} {parallel:.1f} s vs -n 0 {serial:.1f} s "
                  f"for the {tests} shipped tests, median of {args.runs}; target at least 3x)"]
    if args.side == "plain":
        plain: dict[int, list[float]] = {1: [], args.workers: []}
        plain_cpu: dict[int, list[float]] = {1: [], args.workers: []}
        for i in range(args.runs):
            for workers in ((1, args.workers) if i % 2 == 0 else (args.workers, 1)):
                elapsed, cpu = plain_side(workers, args.checkouts, args.fault)
                plain[workers].append(elapsed)
                plain_cpu[workers].append(cpu)
                print(f"  hand-written, {workers} process(es): {elapsed:.1f} s, {cpu:.1f} CPU s", flush=True)
        alone, side_by_side = median(plain[1]), median(plain[args.workers])
        lines.append(f"hand-written ceiling: {alone / side_by_side:.2f}x ({args.checkouts} checkouts in {args.workers} "
                     f"processes {side_by_side:.1f} s vs one process {alone:.1f} s; CPU {median(plain_cpu[args.workers]):.1f} s vs "
                     f"{median(plain_cpu[1]):.1f} s on {CORES} cores)")
    if args.side in ("monitor", "both"):
        smtp_port = free_port()
        store, url = start_store(args.fault, smtp_port)
        try:
            rates: dict[int, tuple[float, int, int, float]] = {}
            for lanes in (1, args.workers):
                rates[lanes] = monitor_side(lanes, url, smtp_port, warm_up=lanes + 2, runs=args.monitor_runs)
                rate, timed, ok, cpu = rates[lanes]
                print(f"  monitor --concurrency {lanes}: {rate:.1f} flows/min ({ok} of {timed} passed), "
                      f"{cpu:.2f} CPU s a run: its CPU used {rate * cpu / 60 / CORES:.0%} of {CORES} cores", flush=True)
        finally:
            store.terminate()
            store.wait(timeout=60)
        serial, concurrent = rates[1][0], rates[args.workers][0]
        lines.append(f"monitor: {concurrent / serial:.2f}x speed-up (--concurrency {args.workers} {concurrent:.1f} "
                     f"flows/min vs --concurrency 1 {serial:.1f} flows/min, {args.monitor_runs} runs each after a warm-up; "
                     f"target at least 3x)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
