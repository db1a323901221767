"""Monitor cost: CPU seconds and memory per checked flow over N runs of `checkout-tester monitor`.

The demo store runs as its own process (its CPU is the store's, not the monitor's); the monitor runs the shipped
flows back to back (`--every 1s`). psutil reads the CPU time of the monitor, its Playwright driver(s) and every
Chromium process below it (processes that ended are counted through their parents: a recycled browser, a closed
context's renderer), after a warm-up and at the end, and the proportional memory (PSS) of the whole tree.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psutil
from _common import FLOWS, machine, parser, stop
from concurrency import free_port, start_monitor, start_store, tree_cpu_seconds, wait_runs


def tree(monitor: psutil.Process) -> list[psutil.Process]:
    return [monitor, *monitor.children(recursive=True)]


def memory(monitor: psutil.Process) -> dict[str, Any]:
    """Proportional set size (MB) of the monitor, the drivers and the browser processes; counts of each."""
    mb = {"monitor": 0.0, "drivers": 0.0, "browser": 0.0, "n_drivers": 0, "n_browsers": 0}
    for process in tree(monitor):
        try:
            line, pss = " ".join(process.cmdline()), process.memory_full_info().pss / 2**20
        except psutil.Error:
            continue
        kind = "monitor" if process.pid == monitor.pid else "browser" if "chrom" in line else "drivers"
        mb[kind] += pss
        mb["n_browsers"] += kind == "browser" and "--type=" not in line
        mb["n_drivers"] += kind == "drivers"
    return mb


def main() -> None:
    """Run the monitor for --runs runs after a warm-up; print CPU and memory per checked flow."""
    ap = parser(__doc__, runs=100)
    ap.add_argument("--flows", default=str(FLOWS), help="flow files or folder the monitor runs (default flows/)")
    ap.add_argument("--concurrency", type=int, default=1, help="the monitor's --concurrency (default 1)")
    ap.add_argument("--fault", default="", help="a demo store fault, e.g. slow:/:300 (default none)")
    ap.add_argument("--recycle", default="0", help="the monitor's --recycle (default 0: a browser that closes "
                                                   "mid-measurement leaves its helpers' CPU time to init, uncounted)")
    args = ap.parse_args()
    smtp_port = free_port()
    store, url = start_store(args.fault, smtp_port)
    folder = Path(tempfile.mkdtemp(prefix="monitor-cost-"))
    source = Path(args.flows)
    if source.is_dir():
        shutil.copytree(source, folder / "flows")
    else:
        (folder / "flows").mkdir()
        shutil.copy(source, folder / "flows")
    monitor, log = start_monitor(folder, url, smtp_port, "--concurrency", str(args.concurrency),
                                 "--recycle", args.recycle)
    database = folder / "reports" / "history.db"
    try:
        process = psutil.Process(monitor.pid)
        first = wait_runs(database, args.concurrency + 2, monitor)
        cpu0, t0 = tree_cpu_seconds(process), time.perf_counter()
        peak = memory(process)
        step = max(1, args.runs // 5)
        for count in range(first[0] + step, first[0] + args.runs, step):
            wait_runs(database, count, monitor)
            now = memory(process)
            if now["monitor"] + now["drivers"] + now["browser"] > peak["monitor"] + peak["drivers"] + peak["browser"]:
                peak = now
        last = wait_runs(database, first[0] + args.runs, monitor)
        cpu, elapsed = tree_cpu_seconds(process) - cpu0, time.perf_counter() - t0
        end = memory(process)
    finally:
        stop(monitor)
        store.terminate()
        store.wait(timeout=60)
        log.close()
    runs, passed = last[0] - first[0], last[1] - first[1]
    total = peak["monitor"] + peak["drivers"] + peak["browser"]
    print(f"machine: {machine()}; flows: {args.flows}; --concurrency {args.concurrency}; "
          f"fault {args.fault or 'none'}; folder {folder}")
    print(f"runs: {runs} timed after {first[0]} warm-up runs ({passed} passed or degraded) in {elapsed:.0f} s: "
          f"{runs / elapsed * 60:.1f} flows/min")
    print(f"CPU: {cpu:.1f} s for {runs} runs = {cpu / runs:.2f} CPU s per checked flow "
          f"(monitor, {end['n_drivers']} driver(s), {end['n_browsers']} browser(s) and all their processes)")
    print(f"memory (PSS, the largest of the readings): monitor {peak['monitor']:.0f} MB, drivers {peak['drivers']:.0f} MB, "
          f"browser {peak['browser']:.0f} MB; {total:.0f} MB in all, {total / args.concurrency:.0f} MB per flow in "
          f"flight; at the end {end['monitor'] + end['drivers'] + end['browser']:.0f} MB")
    print(f"one core checks about {60 / (cpu / runs):.0f} flows a minute")


if __name__ == "__main__":
    main()
