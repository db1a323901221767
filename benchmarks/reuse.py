"""Browser reuse: N flow runs in one process (one browser, a fresh context each) vs N one-flow processes.

Both sides are whole fresh processes timed from outside, so interpreter start, imports, the
Playwright driver, the browser launch and the demo store start count on both sides:
  one process:   python benchmarks/reuse.py --child N FLOW   (checkout_tester.session, store reset per run)
  N processes:   python -m pytest FLOW --target config/demo.yaml   (N times, one after the other)
The one-process side runs before and after the N processes (load drifts); its median is used.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import FLOWS, PYTHON, machine, median, parser, spread, timed_run

PYTEST = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--target", "config/demo.yaml"]


def child(runs: int, flow_path: str) -> None:
    """The one-process side: start store and browser once, run the flow `runs` times."""
    from _common import demo_target

    from checkout_tester.loader import load_flow
    from checkout_tester.session import demo_session

    target = demo_target()
    flow = load_flow(flow_path)
    with demo_session(target) as (session, _store):
        for _ in range(runs):
            for variant in flow.variant_rows[:1]:
                session.run(flow, variant)


def main() -> None:
    """Time both sides and print the speed-up."""
    ap = parser(__doc__, runs=20)
    ap.add_argument("--flow", default=str(FLOWS / "add_to_cart.flow.yaml"), help="flow file (default add_to_cart)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # internal: the one-process side
    args = ap.parse_args()
    if args.child:
        child(args.runs, args.flow)
        return
    one_process = [PYTHON, __file__, "--child", "--runs", str(args.runs), "--flow", args.flow]
    reused = [timed_run(one_process)]
    separate = []
    for i in range(args.runs):
        separate.append(timed_run(PYTEST + [args.flow]))
        print(f"  process {i + 1}/{args.runs}: {separate[-1]:.2f} s", flush=True)
    reused.append(timed_run(one_process))
    one, many = median(reused), sum(separate)
    print(f"machine: {machine()}; flow: {Path(args.flow).name}")
    print(f"one process ({args.runs} runs): {' '.join(f'{t:.1f}' for t in reused)} s ({spread(reused)})")
    print(f"one-flow processes: median {median(separate):.2f} s each ({spread(separate)})")
    print(f"reuse: {many / one:.1f}x faster ({args.runs} runs in one process {one:.1f} s vs {args.runs} "
          f"separate pytest processes {many:.1f} s; target at least 3x)")


if __name__ == "__main__":
    main()
