"""Templates, secrets and failure classes: the engine's pure parts."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from checkout_tester.failure import classify
from checkout_tester.redaction import MASK, Redactor, scrub_zip
from checkout_tester.steps.assertions import url_pattern
from checkout_tester.variables import FakeData, Scope, UnknownVariable


def make_scope(values: dict | None = None, secrets: dict | None = None) -> Scope:
    secrets = secrets or {}
    return Scope(values or {}, secrets.get, {"shop_name": "Demo Store"}, Redactor(), FakeData(seed=1))


def test_render_substitutes_values_in_nested_data() -> None:
    scope = make_scope({"email": "a@b.c", "qty": 2})
    assert scope.render({"value": "{{ email }}", "list": ["x {{qty}} y"]}) == {"value": "a@b.c", "list": ["x 2 y"]}
    assert scope.render("{{ qty }}") == 2  # a whole-template keeps the value's type


def test_target_env_and_run_namespaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_REGION", "eu")
    scope = make_scope()
    assert scope.render("{{ target.shop_name }}/{{ env.SHOP_REGION }}") == "Demo Store/eu"
    assert scope.render("{{ run.id }}") == scope.fake.run_id


def test_fake_values_are_stable_within_a_run_and_emails_unique_per_run() -> None:
    scope = make_scope()
    first = scope.render("{{ fake.email }}")
    assert first == scope.render("{{ fake.email }}")
    assert scope.fake.run_id in first
    assert make_scope().render("{{ fake.email }}") != first


def test_unknown_names_say_what_is_known() -> None:
    with pytest.raises(UnknownVariable, match="'emial' is not defined .*known: email"):
        make_scope({"email": "x"}).render("{{ emial }}")
    with pytest.raises(UnknownVariable, match="secret CARD is not set"):
        make_scope().render("{{ secret.CARD }}")


def test_secrets_are_masked_in_every_form_once_used() -> None:
    scope = make_scope(secrets={"CARD": "4242 4242 4242 4242"})
    assert scope.render("{{ secret.CARD }}") == "4242 4242 4242 4242"
    redact = scope.redactor
    assert redact("card 4242 4242 4242 4242 or 4242424242424242 or 4242+4242+4242+4242") == f"card {MASK} or {MASK} or {MASK}"


def test_trace_zip_is_scrubbed(tmp_path: Path) -> None:
    redactor = Redactor()
    redactor.add("hunter2-secret")
    trace = tmp_path / "trace.zip"
    with zipfile.ZipFile(trace, "w") as zf:
        zf.writestr("trace.trace", '{"method":"fill","params":{"value":"hunter2-secret"}}')
    scrub_zip(trace, redactor)
    with zipfile.ZipFile(trace) as zf:
        text = zf.read("trace.trace").decode()
    assert "hunter2" not in text and MASK in text


@pytest.mark.parametrize(("pattern", "url", "matches"), [
    ("/account", "http://127.0.0.1:5000/account", True),
    ("/account", "http://127.0.0.1:5000/account?welcome=1", True),
    ("/account", "http://127.0.0.1:5000/accounts", False),
    ("/orders/*", "http://127.0.0.1:5000/orders/DS-100001", True),
    ("https://shop.example/cart", "https://shop.example/cart/", True),
])
def test_url_patterns(pattern: str, url: str, matches: bool) -> None:
    assert bool(url_pattern(pattern).match(url)) is matches


@pytest.mark.parametrize(("message", "expected"), [
    ("store unreachable: http://x (net::ERR_CONNECTION_REFUSED)", "store unreachable"),
    ("  Page:     URL x\n            message unknown email format", "visible error message"),
    ("  Console:  [pageerror] TypeError: x is null", "page or console error"),
    ("  Expected: a clickable element role='button'\n  Error:    Timeout 10000ms exceeded.", "element not found"),
    ("  Expected: text 'Thanks' on the page\n  Error: Locator expected to contain text", "expected content missing"),
])
def test_failure_classes(message: str, expected: str) -> None:
    assert classify(message) == expected
