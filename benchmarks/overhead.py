"""Engine overhead: the shipped card checkout flow through checkout-tester vs a hand-written Playwright script.

Both sides run in this process, in one browser, against one demo store instance, each run in a fresh
context (store reset first), alternating A/B so load on the machine hits both alike.
"""
from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import FLOWS, clock, demo_target, machine, median, parser, spread
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

FLOW = FLOWS / "checkout_card.flow.yaml"
AXE = Axe()  # the library the audit_accessibility step uses


def plain_checkout(page: Page, card: str, email: str, full_name: str, mail: Any) -> None:
    """flows/checkout_card.flow.yaml written by hand: the same locators, actions, audit and checks."""
    body = page.locator("body")
    for slug, name, quantity in (("blue-mug", "Blue Mug", "2"), ("green-teapot", "Green Teapot", "1")):
        page.goto(f"/products/{slug}")
        page.get_by_label("Quantity").fill(quantity)
        page.get_by_role("button", name="Add to cart").click()
        expect(body).to_contain_text(f"Added {name} to your cart.", use_inner_text=True)
    since = time.time()
    page.goto("/checkout")
    main = page.locator("main")
    expect(main).to_contain_text("Blue Mug × 2", use_inner_text=True)
    expect(main).to_contain_text("Green Teapot × 1", use_inner_text=True)
    expect(page.get_by_test_id("order-summary-total")).to_contain_text("$58.50", use_inner_text=True)
    page.wait_for_load_state("load")
    found = AXE.run(page).response.get("violations", [])
    assert not [v for v in found if v.get("impact") in ("critical", "serious")], found
    expect(page).to_have_url(re.compile(r"^[a-z]+://[^/]+/checkout/?([?#].*)?$"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Address", exact=True).fill("12 Market Street")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Postal code").fill("62704")
    page.get_by_label("Country").select_option("United States")
    page.get_by_label("Standard shipping (free)").set_checked(True)
    page.get_by_role("button", name="Continue to payment").click()
    expect(page).to_have_url(re.compile(r"^[a-z]+://[^/]+/checkout/payment/?([?#].*)?$"))
    frame = page.get_by_title("Card payment").content_frame
    frame.get_by_label("Card number").fill(card)
    frame.get_by_label("Expiry (MM/YY)").fill("12/30")
    frame.get_by_label("CVC").fill("123")
    frame.get_by_role("button", name="Pay now").click()
    expect(body).to_contain_text("Thank you for your order", use_inner_text=True)
    order = re.search(r"DS-\d+", page.get_by_test_id("order-number").inner_text())
    assert order, "no order number on the confirmation page"
    expect(body).to_contain_text(order.group(0), use_inner_text=True)
    expect(body).to_contain_text("$58.50", use_inner_text=True)
    wait_for_mail(mail, email, "Your Demo Store order", order.group(0), since)


def plain_run(session: Any, store: Any, card: str, faker: Any) -> None:
    """One hand-written checkout as a checkout-tester run has it: store reset, a fresh context, closed after."""
    store.reset()
    context = session.browser.new_context(**session.context_args())
    try:
        plain_checkout(context.new_page(), card, faker.email(), faker.name(), session.mail)
    finally:
        context.close()


def wait_for_mail(mail: Any, to: str, subject: str, text: str, since: float, timeout_s: float = 10) -> None:
    """Poll the SMTP sink the store sends to until the order mail is there."""
    deadline = time.monotonic() + timeout_s
    while not any(subject in m.subject and text in m.body for m in mail.messages(to, since)):
        assert time.monotonic() < deadline, f"no mail {subject!r} to {to}"
        mail.wait(deadline - time.monotonic())


# The --breakdown sides: checkout-tester with one engine feature changed (monkeypatched here, this process only).
def _patches() -> dict[str, list[tuple[Any, str, Any]]]:
    from checkout_tester.observe import timing
    from checkout_tester.observe.page_scan import PageScanner

    return {
        "no page metrics": [(timing, "collect_page_metrics", lambda page, sent=None: None),
                            (timing, "send_page_metrics", lambda page: None)],
        "no error-message scan": [(PageScanner, "scan", lambda self, page, typing=False, typed=(): {})],
        "no settle": [(timing.PageTimer, "settle", lambda self, *args: None)],
    }


def _timed_parts() -> dict[str, tuple[Any, str]]:
    """Engine work a plain script does not do, timed inside the checkout-tester runs."""
    from checkout_tester.observe import timing
    from checkout_tester.observe.page_scan import PageScanner
    from checkout_tester.run.engine import Runner

    return {"page metrics": (timing, "collect_page_metrics"), "error-message scan": (PageScanner, "scan"),
            "settle": (timing.PageTimer, "settle"), "step rendering": (Runner, "_render"),
            "event listeners": (Runner, "emit")}


def stopwatch(parts: dict[str, tuple[Any, str]], spent: dict[str, float]) -> list[tuple[Any, str, Any]]:
    """Patches that add each call's wall time to spent[name]."""
    def wrap(name: str, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
        return timed

    return [(owner, attr, wrap(name, getattr(owner, attr))) for name, (owner, attr) in parts.items()]


@contextmanager
def patched(patches: list[tuple[Any, str, Any]]) -> Iterator[None]:
    """Temporarily replace attributes (one engine feature off)."""
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, value in patches:
        setattr(owner, name, value)
    try:
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


def main() -> None:
    """Alternate the sides run by run and print the ratio of the medians."""
    ap = parser(__doc__, runs=10)
    ap.add_argument("--breakdown", action="store_true",
                    help="also run checkout-tester with one feature off at a time (where the overhead goes)")
    ap.add_argument("--fault", action="append", default=[], metavar="FAULT",
                    help="a demo store fault for both sides (repeatable), e.g. slow:/:300 (every request 300 ms late)")
    args = ap.parse_args()

    from faker import Faker

    from checkout_tester.flow.loader import load_flow
    from checkout_tester.session import demo_session

    target = demo_target()
    flow = load_flow(FLOW)
    card = target.secret("CARD_NUMBER") or ""
    faker = Faker()
    patches = _patches() if args.breakdown else {}
    sides = ["checkout-tester", "plain Playwright", *patches]
    times: dict[str, list[float]] = {side: [] for side in sides}
    parts = _timed_parts() if args.breakdown else {}
    spent: dict[str, float] = {name: 0.0 for name in parts}
    watched = stopwatch(parts, spent)
    with demo_session(target, faults=args.fault) as (session, store):
        def run(side: str) -> None:
            if side == "plain Playwright":
                plain_run(session, store, card, faker)
            elif side == "checkout-tester":
                with patched(watched):
                    session.run(flow)
            else:
                with patched(patches[side]):
                    session.run(flow)

        for side in sides:  # warm-up (first page loads, axe loaded, caches), not counted
            run(side)
        spent.update({name: 0.0 for name in parts})
        for i in range(args.runs):
            # rotate the order, so no side always follows the same one
            for side in sides[i % len(sides):] + sides[:i % len(sides)]:
                with clock(times[side]):
                    run(side)
    print(f"machine: {machine()}; store faults: {' '.join(args.fault) or 'none'}")
    for side in sides:
        print(f"{side} runs: {' '.join(f'{t:.2f}' for t in times[side])} (median {median(times[side]):.2f} s, "
              f"{spread(times[side])})")
    base = median(times["plain Playwright"])
    for name, total in spent.items():
        print(f"  time in {name}: {total / args.runs * 1000:.0f} ms per checkout-tester run (mean)")
    for side in sides[2:]:
        print(f"  {side}: {median(times[side]) / base:.2f}x plain (round by round: {paired(times[side], times[sides[1]]):.2f}x)")
    tool = median(times["checkout-tester"])
    print(f"overhead: {tool / base:.2f}x (checkout-tester {tool:.2f} s vs plain Playwright {base:.2f} s, "
          f"median of {args.runs}; median of the round-by-round ratios "
          f"{paired(times['checkout-tester'], times['plain Playwright']):.2f}x)")


def paired(a: list[float], b: list[float]) -> float:
    """Median of the per-round ratios: less swayed by load that drifts between rounds."""
    return median([x / y for x, y in zip(a, b, strict=True)])

if __name__ == "__main__":
    main()
