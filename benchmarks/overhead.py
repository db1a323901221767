"""Engine overhead: the shipped card checkout flow through checkout-tester vs a hand-written Playwright script.

Both sides run in this process, in one browser, against one demo store instance, each run in a fresh
context (store reset first), alternating A/B so load on the machine hits both alike.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import FLOWS, clock, demo_target, machine, median, parser, spread  # noqa: E402

from playwright.sync_api import Page, expect  # noqa: E402

FLOW = FLOWS / "checkout_card.flow.yaml"


def plain_checkout(page: Page, card: str, email: str, full_name: str) -> None:
    """flows/checkout_card.flow.yaml written by hand: the same locators, actions and checks."""
    body = page.locator("body")
    for slug, name, quantity in (("blue-mug", "Blue Mug", "2"), ("green-teapot", "Green Teapot", "1")):
        page.goto(f"/products/{slug}")
        page.get_by_label("Quantity").fill(quantity)
        page.get_by_role("button", name="Add to cart").click()
        expect(body).to_contain_text(f"Added {name} to your cart.", use_inner_text=True)
    page.goto("/checkout")
    main = page.locator("main")
    expect(main).to_contain_text("Blue Mug × 2", use_inner_text=True)
    expect(main).to_contain_text("Green Teapot × 1", use_inner_text=True)
    expect(page.get_by_test_id("order-summary-total")).to_contain_text("$58.50", use_inner_text=True)
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


def main() -> None:
    """Alternate A/B runs and print the ratio of the medians."""
    ap = parser(__doc__, runs=10)
    ap.add_argument("--profile", action="store_true", help="profile the checkout-tester side with pyinstrument")
    args = ap.parse_args()

    from faker import Faker

    from checkout_tester.demostore import DemoStore
    from checkout_tester.loader import load_flow
    from checkout_tester.session import Session

    target = demo_target()
    flow = load_flow(FLOW)
    card = target.secret("CARD_NUMBER") or ""
    faker = Faker()
    tool: list[float] = []
    plain: list[float] = []
    profiler: Any = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    with DemoStore(port=0, faults=target.demo_store.faults) as store, \
            Session(target, store.url, before_run=store.reset) as session:
        def run_plain() -> None:
            store.reset()
            context = session.browser.new_context(**session.context_args())
            try:
                plain_checkout(context.new_page(), card, faker.email(), faker.name())
            finally:
                context.close()

        session.run(flow)  # warm-up (first page load, caches) not counted, for both sides
        run_plain()
        for i in range(args.runs):
            # alternate which side goes first, so neither always follows the other
            order = ("tool", "plain") if i % 2 == 0 else ("plain", "tool")
            for side in order:
                if side == "tool":
                    if profiler is not None:
                        profiler.start()
                    with clock(tool):
                        session.run(flow)
                    if profiler is not None:
                        profiler.stop()
                else:
                    with clock(plain):
                        run_plain()
    if profiler is not None:
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    ratio = median(tool) / median(plain)
    print(f"machine: {machine()}")
    print(f"checkout-tester runs: {' '.join(f'{t:.2f}' for t in tool)} ({spread(tool)})")
    print(f"plain Playwright runs: {' '.join(f'{t:.2f}' for t in plain)} ({spread(plain)})")
    print(f"overhead: {ratio:.2f}x (checkout-tester {median(tool):.2f} s vs plain Playwright "
          f"{median(plain):.2f} s, median of {args.runs})")


if __name__ == "__main__":
    main()
