"""Real-browser tests: card iframe, WalletPay popup, JS validation and the JS-error fault."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from demostore_helpers import SHIPPING

from checkout_tester.demostore import DemoStore

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed")

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: sync_api.Browser) -> Iterator[sync_api.Page]:
    """A fresh context (own cookies) and page."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def fill_cart_and_shipping(page: sync_api.Page, store: DemoStore, express: bool = False) -> None:
    """Shop through the UI up to the payment page."""
    page.goto(store.url)
    page.get_by_role("link", name="Blue Mug").click()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("status")).to_have_text("Added Blue Mug to your cart.")
    expect(page.get_by_role("link", name="Cart")).to_have_text("Cart (2)")
    page.get_by_role("link", name="Checkout").click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(page.get_by_text("Blue Mug × 2")).to_be_visible()
    page.get_by_label("Email").fill(SHIPPING["email"])
    page.get_by_label("Full name").fill(SHIPPING["full_name"])
    page.get_by_label("Address").fill(SHIPPING["address"])
    page.get_by_label("City").fill(SHIPPING["city"])
    page.get_by_label("Postal code").fill(SHIPPING["postal_code"])
    page.get_by_label("Country").select_option("Germany")
    if express:
        page.get_by_label("Express shipping ($9.00)").check()
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Payment")).to_be_visible()


def test_card_iframe_purchase(page: sync_api.Page, store: DemoStore) -> None:
    fill_cart_and_shipping(page, store, express=True)
    expect(page.get_by_test_id("payment-total")).to_have_text("$33.00")
    card = page.frame_locator('iframe[title="Card payment"]')
    card.get_by_label("Card number").fill("4000 0000 0000 0002")
    card.get_by_label("Expiry (MM/YY)").fill("12/34")
    card.get_by_label("CVC").fill("123")
    card.get_by_role("button", name="Pay now").click()
    expect(card.get_by_role("alert")).to_have_text("Your card was declined.")
    card.get_by_label("Card number").fill("4242 4242 4242 4242")
    card.get_by_role("button", name="Pay now").click()
    page.wait_for_url(re.compile(r"/orders/DS-\d{6}$"))
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    expect(page.get_by_test_id("order-number")).to_have_text("DS-100001")
    assert store.sent_mail[0]["subject"] == "Your Demo Store order DS-100001"
    expect(page.get_by_role("link", name="Cart")).to_have_text("Cart (0)")


def test_wallet_popup_purchase(page: sync_api.Page, store: DemoStore) -> None:
    fill_cart_and_shipping(page, store)
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name="Pay with one click").click()
    popup = popup_info.value
    assert popup.url.startswith(store.wallet_url + "/authorize?")  # a different origin
    expect(popup.get_by_role("heading", name="WalletPay")).to_be_visible()
    expect(popup.get_by_text("Pay $24.00 to Demo Store")).to_be_visible()
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Approve payment").click()
    page.wait_for_url(re.compile(r"/orders/DS-\d{6}$"))
    expect(page.get_by_test_id("order-number")).to_have_text("DS-100001")
    assert popup.is_closed()


def test_wallet_popup_cancel(page: sync_api.Page, store: DemoStore) -> None:
    fill_cart_and_shipping(page, store)
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name="Pay with one click").click()
    popup = popup_info.value
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("alert")).to_have_text("Wallet payment was cancelled.")
    assert page.url.endswith("/checkout/payment")
    assert store.sent_mail == []


def test_signup_js_validation_with_uppercase_email(page: sync_api.Page, store: DemoStore) -> None:
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.goto(store.url + "/signup")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_have_text("Please enter a valid email address.")
    store.set_faults(["uppercase-email"])
    page.reload()
    page.get_by_label("Email").fill("Janet@Example.com")
    page.get_by_label("Password", exact=True).fill("s3cret-pass")
    page.get_by_label("Confirm password").fill("s3cret-pass")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_have_text("unknown email format")
    assert posts == [] and page.url.endswith("/signup")  # the browser never submitted
    page.get_by_label("Email").fill("janet@example.com")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_text("Welcome, janet@example.com")).to_be_visible()


def test_checkout_js_error_raises_pageerror(page: sync_api.Page, store: DemoStore) -> None:
    api = page.context.request  # shares cookies with the page
    api.post(store.url + "/products/blue-mug", form={"quantity": "1"})
    api.post(store.url + "/checkout", form=SHIPPING)
    store.set_faults(["checkout-js-error"])
    with page.expect_event("pageerror") as error_info:
        page.goto(store.url + "/checkout/payment")
    error = error_info.value
    assert error.name == "TypeError"
    # the wallet button was never wired, so it stays disabled and the card form never loads
    sync_api.expect(page.get_by_role("button", name="Pay with one click")).to_be_disabled()
    assert page.locator("iframe.card-frame").get_attribute("src") is None
    store.set_faults([])
    page.reload()
    page.evaluate("() => { window.__opened = 0; window.open = () => { window.__opened++; return null; }; }")
    page.get_by_role("button", name="Pay with one click").click()
    assert page.evaluate("() => window.__opened") == 1
