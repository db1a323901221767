"""Catalog, search, product pages and the cart over plain HTTP."""
from __future__ import annotations

import re

from demostore_helpers import Client, add, attr, text_of, texts, visible_text

from checkout_tester.demostore import DemoStore


def test_home_lists_products_with_prices(client: Client) -> None:
    page = client.get("/")
    assert page.status == 200
    assert '<html lang="en">' in page.text
    assert "<title>Demo Store</title>" in page.text
    assert "<h1>Demo Store</h1>" in page.text
    assert '<a href="/products/blue-mug">Blue Mug</a>' in page.text
    assert '<a href="/products/green-teapot">Green Teapot</a>' in page.text
    assert "$34.50" in page.text and "$12.00" in page.text
    assert page.text.count('class="product-card"') >= 8
    for link in ("Home", "Cart (0)", "Sign up", "Log in", "Contact support"):
        assert f">{link}</a>" in page.text


def test_every_field_has_a_label(client: Client) -> None:
    add(client, "blue-mug")
    for path in ("/", "/products/blue-mug", "/cart", "/checkout", "/signup", "/login", "/support"):
        html = client.get(path).text
        fields = re.findall(r"<(?:input|select|textarea)\b([^>]*)>", html)
        visible = [f for f in fields if 'type="hidden"' not in f]
        assert visible, path
        for field in visible:
            field_id = attr(field, r'id="([^"]+)"')
            assert f'<label for="{field_id}"' in html, (path, field_id)


def test_search_finds_matches(client: Client) -> None:
    page = client.get("/search?q=MUG")
    assert '<a href="/products/blue-mug">Blue Mug</a>' in page.text
    assert "Green Teapot" not in page.text
    assert 'value="MUG"' in page.text
    assert "No products match" in client.get("/search?q=zzz").text


def test_product_page(client: Client) -> None:
    page = client.get("/products/espresso-cups")
    assert "<h1>Espresso Cups (set of 4)</h1>" in page.text
    assert "$22.00" in page.text
    assert "In stock: 30" in page.text
    assert '<label for="quantity">Quantity</label>' in page.text
    assert 'value="1"' in page.text
    assert ">Add to cart</button>" in page.text


def test_unknown_product_is_404(client: Client) -> None:
    page = client.get("/products/no-such-thing")
    assert page.status == 404
    assert "Page not found" in page.text


def test_add_to_cart_redirects_with_status(client: Client) -> None:
    raw = client.post("/products/blue-mug", {"quantity": "2"}, follow=False)
    assert raw.status == 302 and raw.headers["Location"].endswith("/cart")
    cart = client.get("/cart")
    assert text_of(cart.text, "role", "status") == "Added Blue Mug to your cart."
    assert "<h1>Your cart</h1>" in cart.text
    assert text_of(cart.text, "data-testid", "cart-total") == "$24.00"
    assert ">Cart (2)</a>" in cart.text
    assert '<label for="qty-1" class="visually-hidden">Quantity for Blue Mug</label>' in cart.text
    assert 'aria-label="Remove Blue Mug"' in cart.text
    assert '<a href="/checkout" class="button">Checkout</a>' in cart.text
    # the flash is shown once
    assert texts(client.get("/cart").text, "role", "status") == []


def test_quantity_above_stock_is_refused(client: Client) -> None:
    page = client.post("/products/coffee-grinder", {"quantity": "6"})
    assert text_of(page.text, "role", "alert") == "Only 5 left in stock."
    assert add(client, "last-one-lamp").url.endswith("/cart")
    again = add(client, "last-one-lamp")
    assert text_of(again.text, "role", "alert") == "Only 1 left in stock."
    assert "Please enter a quantity" in client.post("/products/blue-mug", {"quantity": "0"}).text


def test_cart_update_and_remove(client: Client) -> None:
    add(client, "blue-mug", 2)
    add(client, "ceramic-bowl")
    cart = client.get("/cart").text
    assert text_of(cart, "data-testid", "cart-total") == "$40.50"
    bowl_id = attr(cart, r'for="qty-(\d+)" class="visually-hidden">Quantity for Ceramic Bowl<')
    page = client.post("/cart/update", {"product_id": bowl_id, "quantity": "3"})
    assert text_of(page.text, "data-testid", "cart-total") == "$73.50"
    too_many = client.post("/cart/update", {"product_id": bowl_id, "quantity": "41"})
    assert text_of(too_many.text, "role", "alert") == "Only 40 left in stock."
    page = client.post("/cart/remove", {"product_id": "1"})
    assert "Blue Mug" not in visible_text(page.text).replace("Removed Blue Mug", "")
    assert text_of(page.text, "data-testid", "cart-total") == "$49.50"
    page = client.post("/cart/update", {"product_id": bowl_id, "quantity": "0"})
    assert "Your cart is empty." in page.text


def test_carts_are_per_session(store: DemoStore) -> None:
    first, second = Client(store.url), Client(store.url)
    add(first, "blue-mug")
    assert "Your cart is empty." in second.get("/cart").text
    assert ">Cart (1)</a>" in first.get("/").text


def test_checkout_with_empty_cart_redirects(client: Client) -> None:
    page = client.get("/checkout")
    assert page.url.endswith("/cart")
    assert text_of(page.text, "role", "alert") == "Your cart is empty."
    assert client.get("/checkout/payment").url.endswith("/cart")
