"""Sign up, log in, log out and the account page over plain HTTP."""
from __future__ import annotations

import pytest
from demostore_helpers import Client, buy, text_of, texts

from checkout_tester.demostore import DemoStore


def signup(client: Client, email: str, password: str = "s3cret-pass", confirm: str | None = None) -> str:
    """Submit the signup form; returns the resulting page HTML."""
    data = {"email": email, "password": password, "confirm_password": password if confirm is None else confirm}
    return client.post("/signup", data).text


def test_signup_page_contract(client: Client) -> None:
    html = client.get("/signup").text
    assert "<h1>Create an account</h1>" in html
    assert '<label for="email">Email</label>' in html and 'type="email"' in html
    assert '<label for="password">Password</label>' in html and 'type="password"' in html
    assert '<label for="confirm_password">Confirm password</label>' in html
    assert ">Create account</button>" in html
    assert 'data-reject-uppercase="false"' in html


@pytest.mark.parametrize(
    ("email", "password", "confirm", "message"),
    [
        ("not-an-email", "s3cret-pass", None, "Please enter a valid email address."),
        ("", "s3cret-pass", None, "Please enter a valid email address."),
        ("janet@example.com", "short", None, "Password must be at least 8 characters."),
        ("janet@example.com", "s3cret-pass", "other-pass", "Passwords do not match."),
    ],
)
def test_signup_validation(client: Client, email: str, password: str, confirm: str | None, message: str) -> None:
    html = signup(client, email, password, confirm)
    assert text_of(html, "role", "alert") == message
    assert "<h1>Create an account</h1>" in html


def test_signup_logs_in_and_lowercases(client: Client) -> None:
    response = client.post("/signup", {"email": "  Janet@Example.com ", "password": "s3cret-pass",
                                       "confirm_password": "s3cret-pass"}, follow=False)
    assert response.status == 302 and response.headers["Location"].endswith("/account")
    html = client.get("/account").text
    assert "<h1>Your account</h1>" in html
    assert "Welcome, janet@example.com" in html
    assert "Signed in as janet@example.com" in html
    assert ">Account</a>" in html and ">Log out</button>" in html
    assert ">Sign up</a>" not in html and ">Log in</a>" not in html


def test_emails_are_case_insensitive(store: DemoStore) -> None:
    signup(Client(store.url), "Janet@Example.com")
    html = signup(Client(store.url), "janet@example.com")
    assert text_of(html, "role", "alert") == "An account with this email already exists."
    other = Client(store.url)
    page = other.post("/login", {"email": "JANET@EXAMPLE.COM", "password": "s3cret-pass"})
    assert page.url.endswith("/account")
    assert "Welcome, janet@example.com" in page.text


def test_login_failures_and_next(store: DemoStore) -> None:
    signup(Client(store.url), "sam@example.com")
    client = Client(store.url)
    html = client.post("/login", {"email": "sam@example.com", "password": "wrong-pass"}).text
    assert "<h1>Log in</h1>" in html
    assert text_of(html, "role", "alert") == "Email or password is incorrect."
    html = client.post("/login", {"email": "nobody@example.com", "password": "s3cret-pass"}).text
    assert text_of(html, "role", "alert") == "Email or password is incorrect."
    page = client.post("/login?next=/support", {"email": "sam@example.com", "password": "s3cret-pass"})
    assert page.url.endswith("/support")
    evil = Client(store.url).post("/login?next=//evil.example", {"email": "sam@example.com",
                                                                  "password": "s3cret-pass"})
    assert evil.url.endswith("/account")


@pytest.mark.parametrize(("query", "lands_on"), [
    ("next=/%09/evil.example", "/account"),  # a browser drops the tab: '//evil.example', another host
    ("next=/%0a/x", "/account"),  # a newline in Location answered 500
    ("next=/%0d%0aSet-Cookie:%20x=1", "/account"),
    ("next=/%5c/evil.example", "/account"),
    ("next=https://evil.example/", "/account"),
    ("next=/%20/evil.example", "/account"),
    ("next=/cart", "/cart"),
])
def test_login_next_is_a_same_site_path(store: DemoStore, query: str, lands_on: str) -> None:
    signup(Client(store.url), "next@example.com")
    response = Client(store.url).post(f"/login?{query}", {"email": "next@example.com", "password": "s3cret-pass"},
                                      follow=False)
    assert response.status == 302, response.text
    assert response.headers["Location"] == lands_on


def test_account_requires_login(client: Client) -> None:
    page = client.get("/account")
    assert page.url.endswith("/login?next=/account")


def test_logout(client: Client) -> None:
    signup(client, "lee@example.com")
    page = client.post("/logout")
    assert page.url.endswith("/")
    assert text_of(page.text, "role", "status") == "You have been logged out."
    assert ">Log in</a>" in page.text


def test_account_lists_orders_and_prefills_checkout(client: Client) -> None:
    signup(client, "Buyer@Example.com")
    client.post("/products/blue-mug", {"quantity": "1"})
    assert 'value="buyer@example.com"' in client.get("/checkout").text
    number = buy(client, "green-teapot", email="buyer@example.com")
    html = client.get("/account").text
    assert number in html
    assert texts(html, "role", "alert") == []


def test_reset_forgets_accounts_so_the_same_email_can_sign_up_again() -> None:
    from checkout_tester.demostore import DemoStore

    with DemoStore() as store:
        assert store.db is not None
        assert store.db.create_user("janet@example.com", "x") is not None
        assert store.db.create_user("janet@example.com", "x") is None
        store.reset()
        assert store.db.create_user("janet@example.com", "x") is not None
        assert len(store.db.products()) >= 8
