"""Browser reuse: N flow runs in one process (one browser, a fresh context each) vs N one-flow processes.

Both sides are whole fresh processes timed from outside, so interpreter start, imports, the
Playwright driver, the browser launch and the demo store start count on both sides:
  one process:   python benchmarks/reuse.py --child N FLOW   (checkout_tester.session, store reset per run)
  N processes:   python -m pytest FLOW --target config/demo.yaml   (N times, one after the other)
The one-process side runs before and after the N processes (load drifts); its median is used.

The ratio has a ceiling no tool can pass: each one-flow process pays a fixed start-up cost F and
then the run itself. With the default flow (add_to_cart) the benchmark also times the same clicks
written by hand in plain Playwright (fresh context each, one browser), so it can print the ratio a
tool with zero per-run cost would reach: (F + plain run) / plain run.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    FLOWS,
    PYTHON,
    machine,
    median,
    parser,
    spread,
    timed_output,
    timed_run,
)

PYTEST = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--target", "config/demo.yaml"]
DEFAULT_FLOW = FLOWS / "add_to_cart.flow.yaml"


def plain_add_to_cart(page) -> None:  # type: ignore[no-untyped-def]
    """flows/add_to_cart.flow.yaml written by hand: the same locators, actions and checks."""
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_label("Search").fill("mug")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Blue Mug").click()
    expect(page.get_by_text("In stock").first).to_be_visible()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"^[a-z]+://[^/]+/cart/?([?#].*)?$"))
    expect(page.get_by_text("Added Blue Mug to your cart.").first).to_be_visible()
    expect(page.get_by_test_id("cart-total")).to_contain_text("$24.00")
    page.get_by_label("Quantity for Blue Mug").fill("3")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_test_id("cart-total")).to_contain_text("$36.00")
    page.get_by_role("button", name="Remove Blue Mug").click()
    expect(page.get_by_text("Your cart is empty.").first).to_be_visible()


def child(runs: int, flow_path: str, plain: bool) -> None:
    """The one-process side: start store and browser once, run the flow `runs` times; print run times."""
    from _common import demo_target

    from checkout_tester.flow.loader import load_flow
    from checkout_tester.session import demo_session

    target = demo_target()
    flow = load_flow(flow_path)
    times = []
    with demo_session(target) as (session, store):
        for _ in range(runs):
            started = time.perf_counter()
            if plain:  # the same per-run set-up as Session.run: store reset, fresh context and page
                store.reset()
                context = session.browser.new_context(**session.context_args())
                try:
                    plain_add_to_cart(context.new_page())
                finally:
                    context.close()
            else:
                session.run(flow, flow.variant_rows[0])
            times.append(time.perf_counter() - started)
    print(json.dumps(times))


def one_process(runs: int, flow: str, plain: bool = False) -> tuple[float, list[float]]:
    """Wall time of a whole one-process run, and its per-run times."""
    cmd = [PYTHON, __file__, "--child", "--runs", str(runs), "--flow", flow] + (["--plain"] if plain else [])
    elapsed, output = timed_output(cmd)
    return elapsed, json.loads(output.strip().splitlines()[-1])


def speedup(runs: int, fixed: float, start: float, per_run: float) -> float:
    """N one-flow processes (each fixed + a run) over one process (start once + N runs)."""
    return runs * (fixed + per_run) / (start + runs * per_run)


def main() -> None:
    """Time both sides and print the speed-up, and the ceiling when the flow has a hand-written twin."""
    ap = parser(__doc__, runs=20)
    ap.add_argument("--flow", default=str(DEFAULT_FLOW), help="flow file (default add_to_cart)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # internal: the one-process side
    ap.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)  # internal: hand-written twin
    args = ap.parse_args()
    if args.child:
        child(args.runs, args.flow, args.plain)
        return
    with_ceiling = Path(args.flow).resolve() == DEFAULT_FLOW.resolve()
    reused, plain = [one_process(args.runs, args.flow)], []
    if with_ceiling:
        plain.append(one_process(args.runs, args.flow, plain=True))
    separate = []
    for i in range(args.runs):
        separate.append(timed_run(PYTEST + [args.flow]))
        print(f"  process {i + 1}/{args.runs}: {separate[-1]:.2f} s", flush=True)
    reused.append(one_process(args.runs, args.flow))
    if with_ceiling:
        plain.append(one_process(args.runs, args.flow, plain=True))
    totals = [t for t, _ in reused]
    one, many = median(totals), sum(separate)
    run = median([r for _, runs in reused for r in runs])
    print(f"machine: {machine()}; flow: {Path(args.flow).name}")
    print(f"one process ({args.runs} runs): {' '.join(f'{t:.1f}' for t in totals)} s ({spread(totals)}); "
          f"a run {run * 1000:.0f} ms (median)")
    print(f"one-flow processes: median {median(separate):.2f} s each ({spread(separate)})")
    print(f"reuse: {many / one:.1f}x faster ({args.runs} runs in one process {one:.1f} s vs {args.runs} "
          f"separate pytest processes {many:.1f} s; target at least 3x)")
    if plain:
        plain_run = median([r for _, runs in plain for r in runs])
        fixed = median(separate) - run  # what a one-flow process pays besides the run itself
        start = median([t - sum(runs) for t, runs in reused])  # the one process's own start-up, paid once
        print(f"hand-written Playwright, same clicks, one process: a run {plain_run * 1000:.0f} ms "
              f"(checkout-tester {run / plain_run:.2f}x of it)")
        print(f"ceiling: a one-flow process costs {fixed:.2f} s besides its run and the one process "
              f"{start:.2f} s once, so a tool with zero per-run cost (runs as fast as the hand-written "
              f"ones) would reach {speedup(args.runs, fixed, start, plain_run):.1f}x; checkout-tester's runs give {speedup(args.runs, fixed, start, run):.1f}x")

if __name__ == "__main__":
    main()
