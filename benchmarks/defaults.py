"""The defaults: `checkout-tester run` as shipped vs the same checkouts hand-written in Playwright.

Whole processes on both sides, timed from outside, each running the card checkout N times against its own demo
store (with the faults given, `slow:/:300` by default: every request 300 ms late, as a remote store is):
- "checkout-tester run": `checkout-tester run flows/checkout_card.flow.yaml --repeat N` in a scratch copy of
  flows/ and config/ (reports, JUnit, Allure results and timings.json written as usual);
- "hand-written": this script with `--plain`, overhead.py's `plain_checkout()` N times (a fresh context each,
  store reset first) in one process with its own demo store, mail sink and browser;
- "old default" (for comparison, not the target): `checkout-tester run` with a trace recorded for every flow
  (`--tracing=retain-on-failure --retries=0`), as it ran before retries took over the evidence.
The sides alternate round by round; medians of the whole-process times are compared.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import FLOWS, PYTHON, ROOT, machine, median, parser, spread

CLI = str(Path(sys.executable).with_name("checkout-tester"))
FLOW = "flows/checkout_card.flow.yaml"


def timed_run(cmd: list[str], cwd: Path) -> float:
    """Wall time of a command in a fresh process started in cwd; raise with its output if it fails."""
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    if " rerun" in done.stdout:  # a flaky checkout ran twice: that round measured a retry too
        print("    (a checkout failed and was retried in this round: " +
              next((line for line in done.stdout.splitlines() if " rerun" in line), "") + ")")
    return elapsed


def plain(runs: int, faults: list[str]) -> None:
    """The hand-written side: N checkouts in this process (store, mail sink and browser started here)."""
    from _common import demo_target
    from faker import Faker
    from overhead import plain_run

    from checkout_tester.session import demo_session

    target = demo_target()
    card, faker = target.secret("CARD_NUMBER") or "", Faker()
    with demo_session(target, faults=faults) as (session, store):
        for _ in range(runs):
            plain_run(session, store, card, faker)


def main() -> None:
    """Alternate the sides, print each side's process times and the ratios to the hand-written one."""
    ap = parser(__doc__, runs=3)
    ap.add_argument("--repeat", type=int, default=5, help="checkouts per process (default 5)")
    ap.add_argument("--fault", action="append", default=None, metavar="FAULT",
                    help="demo store fault for every side (repeatable; default slow:/:300, 'none' for none)")
    ap.add_argument("--no-old", action="store_true", help="leave out the old-default side")
    ap.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)  # internal: the hand-written side
    args = ap.parse_args()
    faults = [f for f in (args.fault or ["slow:/:300"]) if f != "none"]
    if args.plain:
        plain(args.repeat, faults)
        return
    scratch = Path(tempfile.mkdtemp(prefix="ct-defaults-"))
    shutil.copytree(FLOWS, scratch / "flows")
    shutil.copytree(ROOT / "config", scratch / "config")
    run = [CLI, "run", FLOW, f"--repeat={args.repeat}", *(f"--store-fault={f}" for f in faults)]
    sides = {"checkout-tester run": run,
             "hand-written": [PYTHON, str(Path(__file__).resolve()), "--plain", f"--repeat={args.repeat}",
                              *(f"--fault={f}" for f in faults or ["none"])],
             "old default": [*run, "--tracing=retain-on-failure", "--retries=0"]}
    if args.no_old:
        del sides["old default"]
    times: dict[str, list[float]] = {side: [] for side in sides}
    try:
        for i in range(args.runs):
            names = list(sides)
            for side in names[i % len(names):] + names[:i % len(names)]:
                times[side].append(timed_run(sides[side], cwd=scratch))
                print(f"  round {i + 1}/{args.runs} {side}: {times[side][-1]:.2f} s", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"machine: {machine()}; store faults: {' '.join(faults) or 'none'}; {args.repeat} checkouts per process")
    for side, samples in times.items():
        print(f"{side}: {' '.join(f'{t:.2f}' for t in samples)} s (median {median(samples):.2f} s, "
              f"{median(samples) / args.repeat:.2f} s a checkout; {spread(samples)})")
    base = median(times["hand-written"])
    if "old default" in times:
        print(f"  old default (a trace for every flow): {median(times['old default']) / base:.2f}x hand-written")
    tool = median(times["checkout-tester run"])
    print(f"defaults: {tool / base:.2f}x (checkout-tester run {tool:.2f} s vs hand-written Playwright {base:.2f} s, "
          f"whole processes of {args.repeat} checkouts, median of {args.runs}; target at most 1.05x)")


if __name__ == "__main__":
    main()
