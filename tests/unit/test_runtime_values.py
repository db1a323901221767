"""Templates, secrets and failure classes: the engine's pure parts."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from checkout_tester.base.redaction import MASK, Redactor, scrub_zip
from checkout_tester.flow import patterns, templates
from checkout_tester.flow.variables import FakeData, Scope, TemplateRefused, UnknownVariable
from checkout_tester.run.failure_text import classify
from checkout_tester.run.steps.assertions import url_pattern


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


@pytest.mark.parametrize(("template", "rendered"), [
    ("{{ email | lower }}", "janet@example.com"),
    ("{{ email | upper }}", "JANET@EXAMPLE.COM"),
    ("{{ name | title }}", "Janet Doe"),
    ("{{ price | replace('$', '') }}", "12.50"),
    ("{{ nickname | default('Jan') }}", "Jan"),
    ("{{ padded | trim }}!", "x!"),
    ("Hi {{ name | title }}, {{ qty }} items", "Hi Janet Doe, 2 items"),
    ("{{ address.city }} / {{ address['zip'] }}", "Paris / 75001"),
    ("{% for n in sizes %}{{ loop.index }}:{{ n }} {% endfor %}", "1:S 2:M "),
])
def test_filters_and_expressions(template: str, rendered: str) -> None:
    scope = make_scope({"email": "Janet@Example.com", "name": "janet doe", "price": "$12.50", "padded": "  x ",
                        "qty": 2, "address": {"city": "Paris", "zip": "75001"}, "sizes": ["S", "M"]})
    assert scope.render(template) == rendered


def test_a_whole_template_keeps_its_type_and_text_keeps_its_whitespace() -> None:
    scope = make_scope({"qty": 2, "items": ["a", "b"], "maybe": None})
    assert scope.render(" {{ items }} ") == ["a", "b"] and scope.render("{{ qty + 1 }}") == 3
    assert scope.render("{{ maybe }}") is None
    assert scope.render("line {{ qty }}\n") == "line 2\n"
    assert scope.render({"a": ["{{ qty }}", 5, None]}) == {"a": [2, 5, None]}


def test_values_are_data_not_templates() -> None:
    # A saved page text holding template markup is typed as it is, never rendered (it could name a secret).
    scope = make_scope({"saved": "{{ secret.CARD }}"}, secrets={"CARD": "4242"})
    assert scope.render("{{ saved }}") == "{{ secret.CARD }}"
    assert scope.render("Order {{ saved }}") == "Order {{ secret.CARD }}"


def test_env_and_target_values_can_have_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOP_REGION", raising=False)
    scope = make_scope()
    assert scope.render("{{ env.SHOP_REGION | default('us') }}-{{ target.currency | default('USD') }}") == "us-USD"
    with pytest.raises(UnknownVariable, match="^environment variable SHOP_REGION is not set$"):
        scope.render("{{ env.SHOP_REGION | upper }}")
    with pytest.raises(UnknownVariable, match="target.currency is not defined in the target config"):
        scope.render("{{ target.currency }}")
    with pytest.raises(UnknownVariable, match=r"run.number does not exist: use \{\{ run.id \}\}"):
        scope.render("{{ run.number }}")


@pytest.mark.parametrize(("template", "message"), [
    ("{{ ''.__class__ }}", "'.__class__' of a str value is refused: templates read values, not Python attributes"),
    ("{{ email.__class__.__mro__ }}", "'.__class__' of a str value is refused"),
    ("{{ email.upper() }}", "'.upper' of a str value is refused: .*use a filter, e.g. {{ email | upper }}"),
    ("{{ fake.__init__ }}", "fake.__init__ is not reachable"),
    ("{{ fake.seed_instance }}", "fake.seed_instance is not a Faker provider"),
    ("{{ secret }}", "'{{ secret }}' needs a name after 'secret.'"),
    ("{{ range(10) }}", "variable 'range' is not defined"),
    ("{{ email | attr('upper') }}", "filter 'attr' in .* is not available"),
    ("{{ email | lowr }}", "unknown filter 'lowr' in '{{ email | lowr }}'; did you mean 'lower'?"),
    ("{{ email", "template syntax error in '{{ email': unexpected end of template"),
    ("{{ qty + email }}", "template '{{ qty \\+ email }}' failed: unsupported operand"),
])
def test_the_sandbox_refuses_with_a_clear_message(template: str, message: str) -> None:
    with pytest.raises(UnknownVariable, match=message) as caught:
        make_scope({"email": "a@b.c", "qty": 2}).render(template)
    assert "Traceback" not in str(caught.value)
    if "not defined" not in message and "is not a Faker provider" not in message:
        assert isinstance(caught.value, TemplateRefused)


def test_a_filtered_secret_is_masked_too() -> None:
    scope = make_scope(secrets={"PASSWORD": "hunter2-pass", "CARD": "4242 4242 4242 4242"})
    assert scope.render("{{ secret.PASSWORD | upper }}") == "HUNTER2-PASS"
    assert scope.render("{{ secret.CARD | replace(' ', '-') }}") == "4242-4242-4242-4242"
    typed = scope.redactor("typed HUNTER2-PASS, 4242-4242-4242-4242 and hunter2-pass")
    assert "HUNTER2" not in typed and "hunter2" not in typed and "4242" not in typed
    assert scope.render("/pay?card={{ secret.CARD }}") == "/pay?card=4242 4242 4242 4242"
    assert scope.redactor("/pay?card=4242 4242 4242 4242") == f"/pay?card={MASK}"  # only the secret is masked
    both = scope.render("{{ secret.PASSWORD }} then {{ secret.PASSWORD | title | replace('-', '') }}")
    assert both == "hunter2-pass then Hunter2Pass" and scope.redactor(both) == f"{MASK} then {MASK}"
    assert type(scope.render("{{ secret.PASSWORD }}")) is str and type(scope.lookup("secret.PASSWORD")) is str


@pytest.mark.parametrize("template", [
    "{{ secret.PASSWORD[0:4] }}", "{{ secret.PASSWORD[0] }}", "{% for c in secret.PASSWORD %}{{ c }}-{% endfor %}",
    "{{ secret.PASSWORD | list | join('-') }}", "{{ secret.PASSWORD | length }}", "{{ secret.PASSWORD | first }}",
])
def test_a_secret_cannot_be_taken_apart(template: str) -> None:
    scope = make_scope(secrets={"PASSWORD": "hunter2-pass"})
    with pytest.raises(TemplateRefused, match="secret") as caught:
        scope.render(template)
    assert "hunter" not in str(caught.value)


def test_a_fake_value_is_the_same_under_any_filter() -> None:
    scope = make_scope()
    assert scope.render("{{ fake.email | upper }}") == scope.render("{{ fake.email }}").upper()
    with pytest.raises(UnknownVariable, match="did you mean fake.email"):
        scope.render("{{ fake.emial }}")


def test_templates_compile_once_and_plain_text_never() -> None:
    templates.compiled.cache_clear()
    scope = make_scope({"email": "a@b.c"})
    for _ in range(50):
        scope.render({"value": "{{ email | upper }}", "label": "Email", "url": "/account"})
    info = templates.compiled.cache_info()
    assert (info.misses, info.hits) == (1, 49)


def test_lookup_keeps_its_dotted_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_REGION", "eu")
    scope = make_scope({"email": "a@b.c"}, secrets={"CARD": "4242"})
    assert (scope.lookup("email"), scope.lookup("env.SHOP_REGION"), scope.lookup("secret.CARD")) == ("a@b.c", "eu", "4242")
    with pytest.raises(UnknownVariable, match="secret NOPE is not set"):
        scope.lookup("secret.NOPE")


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


def test_patterns_in_messages_read_as_the_flow_wrote_them() -> None:
    word, glob, written = patterns.whole_word("2"), patterns.url_glob("/orders/*"), patterns.regex(r"^/cart/\d+$")
    message = f"expected to contain text '{word}'\nURL expected to be '{glob}' or {written}"
    assert patterns.readable(message) == ("expected to contain text '2' as a whole word\n"
                                          r"URL expected to be '/orders/*' or regex '^/cart/\d+$'")
    unknown = re.compile(r"(^|\W)total($|\W)", re.IGNORECASE)  # built by code that did not register it
    assert patterns.readable(f"text '{unknown}'") == r"text regex '(^|\W)total($|\W)'"
    long = patterns.whole_word("x" * 300)  # Python cuts the repr of a long pattern short
    assert patterns.readable(f"text '{long}'") == f"text '{'x' * 300}' as a whole word"
    assert patterns.readable("no pattern here") == "no pattern here"
