"""Soak of `checkout-tester monitor`: N scheduled runs against the demo store as its own process.

Memory (resident set of the monitor and of the browser processes below it, psutil) and open file
descriptors after a warm-up and at the end, their growth ratios, and any process left after SIGTERM.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psutil
from _common import FLOWS, machine, parser, start_store

CLI = Path(sys.executable).with_name("checkout-tester")
WARM_UP = 5  # runs before the first reading: the first contexts grow the browser's caches


def reading(monitor: psutil.Process) -> dict[str, Any]:
    """Resident memory (MB) of the monitor, the Playwright driver and Chromium's processes; the monitor's fds."""
    mb = {"monitor": monitor.memory_info().rss / 2**20, "driver": 0.0, "browser": 0.0}
    browsers = 0
    for child in monitor.children(recursive=True):
        try:
            name, rss = " ".join(child.cmdline()), child.memory_info().rss / 2**20
        except psutil.Error:
            continue
        if "chrom" in name:
            mb["browser"] += rss
            browsers += "--type=" not in name
        else:
            mb["driver"] += rss
    return {**mb, "fds": monitor.num_fds(), "browsers": browsers}


def count_runs(folder: Path) -> Counter[str]:
    """Outcomes in the monitor's history so far."""
    import sqlite3

    database = folder / "reports" / "history.db"
    if not database.exists():
        return Counter()
    with sqlite3.connect(database, timeout=30) as connection:
        try:
            return Counter(dict(connection.execute("SELECT outcome, count(*) FROM monitor_runs GROUP BY outcome")))
        except sqlite3.OperationalError:
            return Counter()


def wait_runs(folder: Path, count: int, monitor: subprocess.Popen[bytes]) -> Counter[str]:
    """Poll the history until it holds `count` runs."""
    while True:
        outcomes = count_runs(folder)
        if sum(outcomes.values()) >= count:
            return outcomes
        if monitor.poll() is not None:
            raise RuntimeError(f"the monitor exited with {monitor.returncode}")
        time.sleep(0.5)  # a poll interval, not a wait for a result


def main() -> None:
    """Run the monitor until --runs runs are in its history; print memory, fds and what was left behind."""
    ap = parser(__doc__, runs=300)
    ap.add_argument("--flow", default=str(FLOWS / "add_to_cart.flow.yaml"), help="the flow the monitor runs")
    ap.add_argument("--every", default="1s", help="the monitor's interval (default 1s: back to back)")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="soak-monitor-"))
    (folder / "flows").mkdir()
    shutil.copy(args.flow, folder / "flows")
    store, url = start_store()
    (folder / "live.yaml").write_text(f"name: soak\nbase_url: {url}\n", encoding="utf-8")
    log = (folder / "monitor.log").open("wb")
    monitor = subprocess.Popen([str(CLI), "monitor", "--target", "live.yaml", "--every", args.every, "flows"],
                               cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        process = psutil.Process(monitor.pid)
        wait_runs(folder, WARM_UP, monitor)
        first, t0 = reading(process), time.perf_counter()
        trend = []  # (runs, MB of monitor + driver + browser) every tenth of the way: growth or a plateau?
        step = max(1, (args.runs - WARM_UP) // 10)
        for count in range(WARM_UP + step, args.runs, step):
            wait_runs(folder, count, monitor)
            now = reading(process)
            trend.append(f"{count}: {now['monitor']:.0f}/{now['driver']:.0f}/{now['browser']:.0f}")
        outcomes = wait_runs(folder, args.runs, monitor)
        last, elapsed = reading(process), time.perf_counter() - t0
        below = process.children(recursive=True)
        monitor.send_signal(signal.SIGTERM)
        code = monitor.wait(timeout=300)
        gone, alive = psutil.wait_procs(below, timeout=10)
    finally:
        if monitor.poll() is None:
            monitor.kill()
        store.terminate()
        store.wait(timeout=60)
        log.close()
    print(f"machine: {machine()}; flow: {Path(args.flow).name}; every {args.every}; folder {folder}")
    print(f"runs: {sum(outcomes.values())} ({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))}); "
          f"{(sum(outcomes.values()) - WARM_UP) / elapsed * 60:.1f} runs/min after the warm-up")
    for key in ("monitor", "driver", "browser"):
        print(f"  {key:8} RSS {first[key]:7.1f} MB after {WARM_UP} runs -> {last[key]:7.1f} MB at the end "
              f"({last[key] / first[key]:.2f}x)" if first[key] else f"  {key:8} none")
    total_first = sum(first[k] for k in ("monitor", "driver", "browser"))
    total_last = sum(last[k] for k in ("monitor", "driver", "browser"))
    print(f"  all      RSS {total_first:7.1f} MB -> {total_last:7.1f} MB ({total_last / total_first:.2f}x); "
          f"monitor fds {first['fds']} -> {last['fds']} ({last['fds'] / first['fds']:.2f}x); "
          f"browsers {first['browsers']} -> {last['browsers']}")
    print(f"  RSS MB monitor/driver/browser by runs: {'  '.join(trend)}")
    print(f"exit code {code} after SIGTERM; processes left behind: {len(alive)} "
          f"({', '.join(str(p.pid) for p in alive) or 'none'})")
    for leftover in alive:
        leftover.kill()


if __name__ == "__main__":
    main()
