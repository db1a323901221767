"""Equivalent-input variants: the generator, the variant rows a flow gets, and mistakes in the spec."""
from __future__ import annotations

from pathlib import Path

import pytest

from checkout_tester.base.errors import FlowError
from checkout_tester.demostore.web import is_valid_email
from checkout_tester.flow.equivalents import build_variants, generate, guess_kind
from checkout_tester.flow.loader import clear_cache, load_flow


def _values(kind: str, baseline: str, refused: tuple[str, ...] = ()) -> dict[str, str]:
    return {g.id: g.value for g in generate(kind, baseline, refused)}


def test_email_equivalents() -> None:
    assert _values("email", "janet.doe@example.com") == {
        "baseline": "janet.doe@example.com",
        "capital-local": "Janet.Doe@example.com",
        "all-capitals": "JANET.DOE@EXAMPLE.COM",
        "capital-domain": "janet.doe@Example.com",
        "surrounding-spaces": "  janet.doe@example.com ",
        "plus-address": "janet.doe+shop@example.com",
        "subdomain": "janet.doe@mail.example.com",
        "long-tld": "janet.doe@example.photography",
    }


def test_every_equivalent_email_is_valid_syntax_for_the_demo_store() -> None:
    for generated in generate("email", "janet.doe@example.com"):
        assert is_valid_email(generated.value.strip()), generated


def test_refused_transformations_only_when_asked_for() -> None:
    rows = generate("email", "janet.doe@example.com", expect_refused=("inner-space", "plus-address"))
    flagged = {g.id: g.expect_refused for g in rows}
    assert flagged["inner-space"] and flagged["plus-address"] and not flagged["capital-local"]
    assert " " in {g.id: g.value for g in rows}["inner-space"].strip()
    assert "inner-space" not in _values("email", "janet.doe@example.com")


def test_name_and_postal_code_equivalents() -> None:
    names = _values("name", "Janet Doe")
    assert names["accented-apostrophe"] == "Zoë O'Brien"
    assert names["apostrophe"] == "Janet O'Brien" and names["accented"] == "Zoë Doe"
    assert len(names["long"]) > 50
    assert _values("postal_code", "SW1A 1AA")["no-space"] == "SW1A1AA"
    assert _values("postal_code", "SW1A1AA")["with-space"] == "SW1A 1AA"
    assert "with-space" not in _values("postal_code", "62704")  # a US ZIP takes no space


def test_unchanged_spellings_are_dropped() -> None:
    assert "capital-local" not in _values("email", "Janet@example.com")  # already capitalised


@pytest.mark.parametrize(("name", "value", "kind"), [
    ("email", "x", "email"), ("contact", "a@b.co", "email"), ("postal_code", "SW1A 1AA", "postal_code"),
    ("zip", "62704", "postal_code"), ("full_name", "Janet Doe", "name"),
])
def test_kind_is_guessed(name: str, value: str, kind: str) -> None:
    assert guess_kind(name, value) == kind


def test_variant_rows_name_the_transformation() -> None:
    variants, problems = build_variants({"email": {"equivalents": "janet.doe@example.com",
                                                   "expect_refused": ["inner-space"]}})
    assert not problems
    assert variants[0].id == "email=baseline" and not variants[0].transformation
    by_id = {v.id: v for v in variants}
    assert by_id["email=capital-local"].transformation == "capital letters in the local part"
    assert by_id["email=capital-local"].values == {"email": "Janet.Doe@example.com"}
    assert by_id["email=inner-space"].expect_refused


def test_two_inputs_vary_one_at_a_time() -> None:
    variants, _ = build_variants({"email": {"equivalents": "a.b@example.com"},
                                  "name": {"equivalents": "Janet Doe"}})
    row = {v.id: v.values for v in variants}["name=apostrophe"]
    assert row == {"email": "a.b@example.com", "name": "Janet O'Brien"}


@pytest.mark.parametrize(("spec", "message"), [
    ({"email": {"equivalents": "x@example.com", "expect_refused": ["inner-spaces"]}},
     "unknown email transformation 'inner-spaces'"),
    ({"email": {"equivalents": "not an email"}}, "is not an email address"),
    ({"email": {"equivalents": "x@example.com", "kinds": "email"}}, "unknown key 'kinds'"),
    ({"email": {"equivalents": "x@example.com"}, "other": ["a", "b"]}, "variants.other must be {equivalents"),
    ({"thing": {"equivalents": "blue"}}, "can't tell what kind of input 'thing' is"),
])
def test_spec_mistakes(spec: dict, message: str) -> None:
    variants, problems = build_variants(spec)
    assert not variants and message in problems[0][1]


def test_loader_reports_a_bad_spec_at_its_line(tmp_path: Path) -> None:
    clear_cache()
    flow = tmp_path / "x.flow.yaml"
    flow.write_text("name: x\nvariants:\n  email: {equivalents: j@example.com, expect_refused: [typo]}\n"
                    "steps:\n  - goto: /\n", encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        load_flow(flow, root=tmp_path)
    assert "x.flow.yaml:3" in str(caught.value) and "unknown email transformation 'typo'" in str(caught.value)


def test_shipped_equivalents_flow_loads() -> None:
    clear_cache()
    root = Path(__file__).parents[2]
    flow = load_flow(root / "flows/signup_equivalents.flow.yaml", root=root)
    ids = [v.id for v in flow.variants]
    assert ids[0] == "email=baseline" and "email=capital-local" in ids and "email=inner-space" in ids
