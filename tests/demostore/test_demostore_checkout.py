"""Checkout, card and wallet payments, orders and confirmation mail over plain HTTP."""
from __future__ import annotations

import urllib.request

from demostore_helpers import SHIPPING, Client, add, attr, buy, pay_by_card, text_of, to_payment, visible_text

from checkout_tester.demostore import DemoStore


def test_checkout_page_contract(client: Client) -> None:
    add(client, "blue-mug", 2)
    add(client, "linen-apron")
    html = client.get("/checkout").text
    assert "<h1>Checkout</h1>" in html
    text = visible_text(html)
    assert "Blue Mug × 2" in text and "Linen Apron × 1" in text
    assert text_of(html, "data-testid", "order-summary-total") == "$52.00"
    for label in ("Email", "Full name", "Address", "City", "Postal code", "Country",
                  "Standard shipping (free)", "Express shipping ($9.00)"):
        assert f">{label}</label>" in html, label
    for country in ("United States", "United Kingdom", "Germany", "France", "Canada"):
        assert f">{country}</option>" in html
    assert ">Continue to payment</button>" in html


def test_checkout_validation(client: Client) -> None:
    add(client, "blue-mug")
    html = client.post("/checkout", {**SHIPPING, "full_name": " ", "city": ""}).text
    assert text_of(html, "role", "alert") == "Please fill in: Full name, City"
    assert 'value="1 Main St"' in html  # entered values are kept
    html = client.post("/checkout", {**SHIPPING, "email": "nope"}).text
    assert text_of(html, "role", "alert") == "Please enter a valid email address."


def test_payment_page_includes_express_shipping(client: Client) -> None:
    add(client, "blue-mug", 2)
    page, token = to_payment(client, shipping_method="express")
    assert "<h1>Payment</h1>" in page.text
    assert text_of(page.text, "data-testid", "payment-total") == "$33.00"
    assert f'<iframe title="Card payment" data-src="/pay/card-frame?session={token}&amp;amount=3300"' in page.text
    assert ">Pay with one click</button>" in page.text
    frame = client.get(f"/pay/card-frame?session={token}&amount=3300").text
    for label in ("Card number", "Expiry (MM/YY)", "CVC"):
        assert f">{label}</label>" in frame
    assert ">Pay now</button>" in frame


def test_card_payment_creates_order(store: DemoStore, client: Client) -> None:
    add(client, "blue-mug", 2)
    add(client, "coffee-grinder")
    _, token = to_payment(client)
    assert text_of(pay_by_card(client, token, "4000 0000 0000 0002").text, "role", "alert") == "Your card was declined."
    assert text_of(pay_by_card(client, token, "1234").text, "role", "alert") == "Your card number is invalid."
    # not approved yet: completing must fail
    assert client.post("/checkout/card/complete", json_body={"token": token}).status == 402
    approved = pay_by_card(client, token, "4242424242424242")
    assert 'id="card-approved"' in approved.text
    done = client.post("/checkout/card/complete", json_body={"token": token})
    assert done.status == 200
    number = done.json()["order"]
    assert number == "DS-100001" and done.json()["redirect"] == "/orders/DS-100001"
    # a retry of the same message is idempotent
    assert client.post("/checkout/card/complete", json_body={"token": token}).json()["order"] == number
    order = client.get(f"/orders/{number}").text
    assert "<h1>Thank you for your order</h1>" in order
    assert text_of(order, "data-testid", "order-number") == number
    assert "Blue Mug × 2" in visible_text(order) and "$83.00" in order
    assert "Your cart is empty." in client.get("/cart").text
    assert "In stock: 48" in client.get("/products/blue-mug").text
    assert "In stock: 4" in client.get("/products/coffee-grinder").text
    mail = store.sent_mail
    assert len(mail) == 1 and mail[0]["to"] == SHIPPING["email"]
    assert mail[0]["subject"] == f"Your Demo Store order {number}"
    assert number in mail[0]["body"] and "Blue Mug × 2" in mail[0]["body"] and "$83.00" in mail[0]["body"]


def test_orders_are_private(store: DemoStore, client: Client) -> None:
    number = buy(client)
    assert Client(store.url).get(f"/orders/{number}").status == 404
    assert buy(client) == "DS-100002"


def test_last_item_sells_out(store: DemoStore) -> None:
    first, second = Client(store.url), Client(store.url)
    add(first, "last-one-lamp")
    add(second, "last-one-lamp")
    buy(first, "ceramic-bowl")
    _, token = to_payment(second)
    pay_by_card(second, token)
    done = second.post("/checkout/card/complete", json_body={"token": token})
    assert done.status == 409 and "only 0 left" in done.json()["error"]


def wallet_decide(store: DemoStore, token: str, decision: str, amount: int) -> None:
    """Do what the WalletPay popup does when a button is pressed."""
    req = urllib.request.Request(f"{store.wallet_url}/api/payments/{token}/{decision}", method="POST",
                                 data=f'{{"amount": {amount}}}'.encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).close()


def test_wallet_payment(store: DemoStore, client: Client) -> None:
    add(client, "green-teapot")
    page, token = to_payment(client)
    authorize = attr(page.text, r'data-authorize-url="([^"]+)"')
    assert authorize == f"{store.wallet_url}/authorize?session={token}&amount=3450&origin=http%3A%2F%2F127.0.0.1%3A{store.port}"
    popup = Client(store.wallet_url).get(authorize)
    assert popup.status == 200
    assert "<h1>WalletPay</h1>" in popup.text and "Pay $34.50 to Demo Store" in popup.text
    assert ">Approve payment</button>" in popup.text and ">Cancel</button>" in popup.text
    # no decision yet
    assert client.post("/checkout/wallet/complete", json_body={"token": token}).status == 402
    wallet_decide(store, token, "cancel", 3450)
    refused = client.post("/checkout/wallet/complete", json_body={"token": token})
    assert refused.json()["error"] == "Wallet payment was cancelled."
    wallet_decide(store, token, "approve", 3450)
    done = client.post("/checkout/wallet/complete", json_body={"token": token})
    assert done.status == 200, done.text
    assert text_of(client.get(done.json()["redirect"]).text, "data-testid", "order-number") == "DS-100001"
    assert store.sent_mail[0]["subject"] == "Your Demo Store order DS-100001"


def test_wallet_amount_must_match(store: DemoStore, client: Client) -> None:
    add(client, "green-teapot")
    _, token = to_payment(client)
    wallet_decide(store, token, "approve", 100)
    done = client.post("/checkout/wallet/complete", json_body={"token": token})
    assert done.status == 409
    assert store.sent_mail == []


def test_wallet_rejects_bad_requests(store: DemoStore) -> None:
    wallet = Client(store.wallet_url)
    assert wallet.get("/authorize?session=x&amount=0&origin=http://a.test").status == 400
    assert wallet.get("/authorize?session=x&amount=5&origin=javascript:alert(1)").status == 400
    assert wallet.get("/api/payments/nope").json() == {"token": "nope", "status": "unknown"}


def test_a_product_that_runs_low_is_restocked_but_a_one_off_is_not(client: Client) -> None:
    # A store that keeps its orders must not run dry when the shipped flows run again and again.
    buy(client, "coffee-grinder", 3)  # 5 -> 2: not low yet
    assert "In stock: 2" in client.get("/products/coffee-grinder").text
    buy(client, "coffee-grinder", 1)  # 2 -> 1, below a quarter of 5 (at least 2): refilled
    assert "In stock: 5" in client.get("/products/coffee-grinder").text
    buy(client, "last-one-lamp")
    assert "In stock: 0" in client.get("/products/last-one-lamp").text
