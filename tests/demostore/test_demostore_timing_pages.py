"""The timing and navigation pages (timing_pages.py) over HTTP: statuses, the 303, the JSON APIs."""
from __future__ import annotations

import pytest
from demostore_helpers import Client


def test_the_order_post_answers_303_to_its_confirmation(client: Client) -> None:
    assert ">Place order</button>" in client.get("/timing/order").text
    posted = client.post("/timing/order/submit", {}, follow=False)
    assert posted.status == 303 and posted.headers["Location"].endswith("/timing/order/done")
    assert "<h1>Order placed</h1>" in client.post("/timing/order/submit", {}).text


def test_the_basket_api_counts_per_session_and_refuses_other_bodies(client: Client) -> None:
    assert "Basket: 0" in client.get("/timing/basket").text
    assert client.post("/timing/api/basket", json_body={"item": "blue-mug"}).json()["count"] == 1
    assert client.post("/timing/api/basket", json_body={"item": "blue-mug"}).json()["count"] == 2
    assert "Basket: 2" in client.get("/timing/basket").text
    refused = client.post("/timing/api/basket", json_body=["blue-mug"])
    assert refused.status == 400 and "expected JSON" in refused.json()["error"]


@pytest.mark.parametrize("code", [200, 404, 410, 500, 503])
def test_a_status_page_answers_its_code(client: Client, code: int) -> None:
    answer = client.get(f"/timing/status/{code}")
    assert answer.status == code and f"answered HTTP {code} on purpose" in answer.text


def test_a_3xx_status_redirects_and_out_of_range_codes_are_not_found(client: Client) -> None:
    moved = client.get("/timing/status/301", follow=False)
    assert moved.status == 301 and moved.headers["Location"].endswith("/timing/basket")
    assert client.get("/timing/status/600").status == 404 and client.get("/timing/status/99").status == 404


def test_the_mini_app_serves_one_shell_for_every_view_and_its_data(client: Client) -> None:
    for path in ("/timing/app", "/timing/app/about", "/timing/app/orders"):
        html = client.get(path).text
        assert '<section id="view"' in html and "timing_app.js" in html, path
    assert len(client.get("/timing/api/orders").json()["orders"]) == 3
