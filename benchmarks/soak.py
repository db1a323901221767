"""Soak: the shipped flows run over and over against the demo store with `jitter:500`; target zero failures.

One process, one browser, a fresh context per run (checkout_tester.session); the flow variants are
cycled in collection order, the store is reset before each run as the pytest fixture does.
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import FLOWS, demo_target, machine, median, parser


def first_lines(error: BaseException, count: int = 6) -> str:
    """The first lines of a failure message, indented."""
    lines = str(error).strip().splitlines()[:count]
    return "\n".join(f"    {line}" for line in lines)


def main() -> None:
    """Run the flows --runs times, print each failure's cause and the tally."""
    ap = parser(__doc__, runs=200)
    ap.add_argument("--fault", action="append", default=None, help="demo store fault (default: jitter:500)")
    args = ap.parse_args()
    faults = args.fault or ["jitter:500"]

    from checkout_tester.session import demo_session, flow_items

    target = demo_target()
    items = list(flow_items([FLOWS]))
    counts: Counter[str] = Counter()
    times: list[float] = []
    failures: list[tuple[int, str, BaseException]] = []
    started = time.perf_counter()
    with demo_session(target, faults, artifacts="reports/soak-artifacts") as (session, _store):
        for i in range(args.runs):
            flow, variant = items[i % len(items)]
            name = Path(flow.path).name + (f"[{variant.id}]" if variant.id else "")
            run_started = time.perf_counter()
            try:
                session.run(flow, variant)
            except Exception as exc:  # noqa: BLE001 - a failed run is the finding, not the end of the soak
                failures.append((i + 1, name, exc))
                print(f"run {i + 1} {name}: FAILED ({type(exc).__name__})\n{first_lines(exc)}", flush=True)
            elapsed = time.perf_counter() - run_started
            times.append(elapsed)
            counts[name] += 1
            if (i + 1) % 10 == 0:
                print(f"  {i + 1}/{args.runs} runs, {len(failures)} failed, "
                      f"{time.perf_counter() - started:.0f} s so far", flush=True)
    total = time.perf_counter() - started
    print(f"machine: {machine()}; faults: {', '.join(faults)}")
    print(f"runs per flow: {', '.join(f'{k} x{v}' for k, v in counts.items())}")
    for number, name, exc in failures:
        print(f"failure in run {number} ({name}):\n{first_lines(exc)}")
    verdict = "OK" if not failures else "FAILED"
    print(f"soak: {len(failures)} failure(s) in {args.runs} runs ({verdict}; target 0; {total:.0f} s in all, "
          f"median run {median(times):.2f} s, faults {', '.join(faults)})")


if __name__ == "__main__":
    main()
