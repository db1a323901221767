"""HTTP client and HTML helpers for the demo store tests."""
from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Response:
    """A finished HTTP exchange."""

    status: int
    url: str
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        """Body parsed as JSON."""
        return json.loads(self.text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Let the client see redirects instead of following them."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    """A tiny browser-like HTTP client: cookies, optional redirect following."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(self, method: str, path: str, data: dict[str, Any] | None = None, json_body: Any = None,
                headers: dict[str, str] | None = None, follow: bool = True) -> Response:
        """Send one request (and follow redirects when FOLLOW)."""
        url = urljoin(self.base_url, path)
        for _ in range(10):
            body = None
            hdrs = dict(headers or {})
            if json_body is not None:
                body = json.dumps(json_body).encode()
                hdrs["Content-Type"] = "application/json"
            elif data is not None:
                body = urlencode(data).encode()
                hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            req = urllib.request.Request(url, data=body, headers=hdrs, method=method)
            try:
                with self.opener.open(req, timeout=30) as resp:
                    result = Response(resp.status, url, dict(resp.headers), resp.read().decode())
            except urllib.error.HTTPError as exc:
                result = Response(exc.code, url, dict(exc.headers), exc.read().decode())
            if not follow or result.status not in (301, 302, 303, 307, 308):
                return result
            url = urljoin(url, result.headers["Location"])
            if result.status in (301, 302, 303):
                method, data, json_body = "GET", None, None
        raise AssertionError("too many redirects")

    def get(self, path: str, **kwargs: Any) -> Response:
        """GET PATH."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Response:
        """POST a form (or json_body=...) to PATH."""
        return self.request("POST", path, data=data, **kwargs)


class _TextFinder(HTMLParser):
    """Collects the text of every element carrying attribute NAME=VALUE."""

    def __init__(self, name: str, value: str) -> None:
        super().__init__()
        self.name, self.value = name, value
        self.depth = 0  # >0 while inside a matching element
        self.stack: list[str] = []
        self.found: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        self.stack.append(tag)
        if self.depth:
            self.depth += 1
        elif (self.name, self.value) in attrs and not any(k == "hidden" for k, _ in attrs):
            self.depth = 1
            self.found.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack:
            return
        self.stack.pop()
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.found[-1].append(data)


def texts(html: str, name: str, value: str) -> list[str]:
    """Whitespace-normalized texts of visible elements with NAME=VALUE, e.g. ('role', 'alert')."""
    finder = _TextFinder(name, value)
    finder.feed(html)
    return [" ".join("".join(parts).split()) for parts in finder.found]


def text_of(html: str, name: str, value: str) -> str:
    """Text of the single visible element with NAME=VALUE."""
    found = texts(html, name, value)
    assert len(found) == 1, f"expected one [{name}={value}], found {found}"
    return found[0]


def attr(html: str, pattern: str) -> str:
    """First regex group of PATTERN in HTML (unescaped)."""
    match = re.search(pattern, html)
    assert match, f"{pattern!r} not found"
    return match.group(1).replace("&amp;", "&")


def visible_text(html: str) -> str:
    """Roughly the text a reader sees: tags stripped, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split()).replace("&amp;", "&")


SHIPPING = {
    "email": "janet@example.com", "full_name": "Janet Doe", "address": "1 Main St", "city": "Springfield",
    "postal_code": "12345", "country": "United States", "shipping_method": "standard",
}


def add(client: Client, slug: str, quantity: int = 1) -> Response:
    """Add a product to the cart."""
    return client.post(f"/products/{slug}", {"quantity": str(quantity)})


def to_payment(client: Client, **shipping: str) -> tuple[Response, str]:
    """Submit the shipping form; returns the payment page and its payment token."""
    page = client.post("/checkout", {**SHIPPING, **shipping})
    assert page.url.endswith("/checkout/payment"), page.text
    return page, attr(page.text, r'data-token="([^"]+)"')


def pay_by_card(client: Client, token: str, number: str = "4242 4242 4242 4242") -> Response:
    """Submit the card iframe form."""
    return client.post("/pay/card-frame", {"session": token, "card_number": number, "expiry": "12/34", "cvc": "123"})


def buy(client: Client, slug: str = "blue-mug", quantity: int = 1, **shipping: str) -> str:
    """Place a card order over HTTP; returns the order number."""
    add(client, slug, quantity)
    _, token = to_payment(client, **shipping)
    assert "card-approved" in pay_by_card(client, token).text
    done = client.post("/checkout/card/complete", json_body={"token": token})
    assert done.status == 200, done.text
    return str(done.json()["order"])
