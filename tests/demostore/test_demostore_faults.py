"""Fault switches: parsing, the admin endpoint and each fault's server-side effect."""
from __future__ import annotations

import time

import pytest
from demostore_helpers import Client, add, attr, buy, pay_by_card, text_of, to_payment, visible_text

from checkout_tester.demostore import FAULTS, DemoStore
from checkout_tester.demostore.faults import FaultSet, parse_fault


def test_fault_descriptions_cover_every_switch() -> None:
    assert set(FAULTS) == {"uppercase-email", "slow:PATH:MS", "wallet-down", "support-500",
                           "checkout-js-error", "cart-drops-items", "jitter:MS", "no-order-email",
                           "unlabelled-field", "renamed-button"} | {"cart-confirm-remove"} | {"flaky:PATH:N"}  # the detector pages' fault
    assert all(isinstance(text, str) and text for text in FAULTS.values())


@pytest.mark.parametrize("bad", ["nope", "slow:/cart", "slow:cart:10", "slow:/cart:abc", "jitter:-1", "jitter:"])
def test_invalid_faults_raise(bad: str) -> None:
    with pytest.raises(ValueError) as err:
        DemoStore(faults=[bad])
    assert bad in str(err.value)
    if bad == "nope":
        assert "uppercase-email" in str(err.value) and "jitter:MS" in str(err.value)


def test_parse_and_set_faults(store: DemoStore) -> None:
    assert str(parse_fault(" slow:/a:b:250 ")) == "slow:/a:b:250"
    store.set_faults(["wallet-down", "slow:/cart:5"])
    assert store.faults == ["wallet-down", "slow:/cart:5"]
    with pytest.raises(ValueError, match="Valid faults"):
        store.set_faults(["wallet-down", "bogus"])
    assert store.faults == ["wallet-down", "slow:/cart:5"]  # unchanged on error
    store.set_faults([])
    assert store.faults == []


def test_jitter_delays_stay_in_range() -> None:
    faults = FaultSet(["jitter:40", "slow:/cart:100"])
    samples = [faults.delay_ms("/") for _ in range(300)]
    assert min(samples) >= 0 and max(samples) <= 40 and len(set(samples)) > 5
    assert all(100 <= faults.delay_ms("/cart") <= 140 for _ in range(50))


def test_slow_folder_covers_every_path_under_it() -> None:
    faults = FaultSet(["slow:/:300", "slow:/api/:50"])
    assert faults.delay_ms("/") == 300 and faults.delay_ms("/cart") == 300 and faults.delay_ms("/static/a.css") == 300
    assert faults.delay_ms("/api/x") == 350 and faults.delay_ms("/api") == 300  # /api itself is not under /api/
    assert FaultSet(["slow:/cart:100"]).delay_ms("/cart/update") == 0  # without the slash: that path only


def test_jitter_applies_to_shop_and_gateway() -> None:
    with DemoStore(faults=["jitter:30"]) as store:
        assert Client(store.url).get("/").status == 200
        assert Client(store.wallet_url).get("/").status == 200


def test_admin_endpoint(store: DemoStore) -> None:
    client = Client(store.url)
    assert client.get("/__admin/faults").status == 403
    assert client.get("/__admin/faults", headers={"X-Admin-Token": "wrong"}).status == 403
    token = {"X-Admin-Token": store.admin_token}
    assert client.get("/__admin/faults", headers=token).json() == {"faults": []}
    answer = client.post("/__admin/faults", json_body={"faults": ["support-500", "jitter:5"]}, headers=token)
    assert answer.json() == {"faults": ["support-500", "jitter:5"]}
    assert store.faults == ["support-500", "jitter:5"]
    bad = client.post("/__admin/faults", json_body={"faults": ["bogus"]}, headers=token)
    assert bad.status == 400 and "Valid faults" in bad.json()["error"]
    assert client.post("/__admin/faults", json_body={"faults": "x"}, headers=token).status == 400
    assert DemoStore().admin_token != store.admin_token


def test_uppercase_email(store: DemoStore) -> None:
    store.set_faults(["uppercase-email"])
    client = Client(store.url)
    assert 'data-reject-uppercase="true"' in client.get("/signup").text
    data = {"email": "Janet@Example.com", "password": "s3cret-pass", "confirm_password": "s3cret-pass"}
    assert text_of(client.post("/signup", data).text, "role", "alert") == "unknown email format"
    assert client.post("/signup", {**data, "email": "janet@example.com"}).url.endswith("/account")


def timed_get(client: Client, path: str) -> float:
    """Seconds for one GET (the body is tiny, so this is about time to first byte)."""
    start = time.perf_counter()
    assert client.get(path, follow=False).status == 200
    return time.perf_counter() - start


def test_slow_path(store: DemoStore, client: Client) -> None:
    store.set_faults(["slow:/cart:400", "slow:/products/blue-mug:300"])
    assert timed_get(client, "/cart") >= 0.4
    assert timed_get(client, "/products/blue-mug") >= 0.3
    assert timed_get(client, "/") < 0.3
    assert timed_get(client, "/cart?x=1") >= 0.4  # the query string does not matter
    store.set_faults(["slow:/__admin/faults:2000"])
    start = time.perf_counter()
    client.get("/__admin/faults", headers={"X-Admin-Token": store.admin_token})
    assert time.perf_counter() - start < 1.0  # the test hook is never delayed


def test_wallet_down(store: DemoStore, client: Client) -> None:
    add(client, "blue-mug")
    page, token = to_payment(client)
    store.set_faults(["wallet-down"])
    popup = Client(store.wallet_url).get(attr(page.text, r'data-authorize-url="([^"]+)"'))
    assert popup.status == 503
    assert "WalletPay is temporarily unavailable" in popup.text
    api = Client(store.wallet_url).get(f"/api/payments/{token}")
    assert api.status == 503
    done = client.post("/checkout/wallet/complete", json_body={"token": token})
    assert done.status == 502 and "could not be verified" in done.json()["error"]


def test_support_500(store: DemoStore, client: Client) -> None:
    store.set_faults(["support-500"])
    assert client.get("/support").status == 200
    page = client.post("/support", {"name": "Ann", "email": "ann@example.com", "message": "Hello"})
    assert page.status == 500
    assert "Something went wrong" in page.text and "ticket" not in page.text.lower()
    assert store.sent_mail == []


def test_checkout_js_error_breaks_payment_script_hook(store: DemoStore, client: Client) -> None:
    add(client, "blue-mug")
    healthy, _ = to_payment(client)
    assert 'id="payment-options"' in healthy.text
    store.set_faults(["checkout-js-error"])
    broken = client.get("/checkout/payment").text
    assert 'id="payment-options"' not in broken and 'id="payment-option"' in broken
    assert ">Pay with one click</button>" in broken


def test_cart_drops_last_added_line(store: DemoStore, client: Client) -> None:
    store.set_faults(["cart-drops-items"])
    add(client, "blue-mug", 2)
    add(client, "linen-apron")
    add(client, "blue-mug")  # adding more of an old line does not make it 'last added'
    assert text_of(client.get("/cart").text, "data-testid", "cart-total") == "$64.00"
    checkout = client.get("/checkout").text
    assert "Blue Mug × 3" in visible_text(checkout) and "Linen Apron" not in checkout
    assert text_of(checkout, "data-testid", "order-summary-total") == "$36.00"
    _, token = to_payment(client)
    pay_by_card(client, token)
    number = client.post("/checkout/card/complete", json_body={"token": token}).json()["order"]
    order = client.get(f"/orders/{number}").text
    assert "Linen Apron" not in order and text_of(order, "data-testid", "order-total") == "$36.00"
    assert "In stock: 15" in client.get("/products/linen-apron").text


def test_cart_drops_one_unit_of_single_line(store: DemoStore) -> None:
    store.set_faults(["cart-drops-items"])
    client = Client(store.url)
    add(client, "ceramic-bowl", 3)
    assert "Ceramic Bowl × 2" in visible_text(client.get("/checkout").text)
    single = Client(store.url)
    add(single, "ceramic-bowl")
    assert "Ceramic Bowl × 1" in visible_text(single.get("/checkout").text)
    assert buy(single, "ceramic-bowl")  # second unit added: two units in the cart, one ordered


def test_no_order_email_places_the_order_but_sends_no_confirmation(store: DemoStore, client: Client) -> None:
    store.set_faults(["no-order-email"])
    number = buy(client)
    assert "Thank you for your order" in client.get(f"/orders/{number}").text
    assert store.sent_mail == []
    client.post("/support", {"name": "Ann", "email": "ann@example.com", "message": "Hello"})
    assert [m["subject"].startswith("We received your message") for m in store.sent_mail] == [True]


def test_unlabelled_field_drops_only_the_postal_code_label(store: DemoStore, client: Client) -> None:
    add(client, "blue-mug")
    store.set_faults(["unlabelled-field"])
    html = client.get("/checkout").text
    assert 'id="postal_code"' in html and '<label for="postal_code"' not in html
    assert '<label for="city">City</label>' in html


def test_renamed_button_renames_only_the_add_to_cart_button(store: DemoStore, client: Client) -> None:
    store.set_faults(["renamed-button"])
    html = client.get("/products/blue-mug").text
    assert ">Add to basket</button>" in html and "Add to cart" not in html
    add(client, "blue-mug")  # the same form still posts: only the words changed
    assert "Blue Mug" in client.get("/cart").text
