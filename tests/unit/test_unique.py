"""`unique:` inputs: a fresh token per test run, placed so each spelling (and each equivalent) survives."""
from __future__ import annotations

from pathlib import Path

from checkout_tester.demostore.web import is_valid_email
from checkout_tester.flow import unique
from checkout_tester.flow.equivalents import generate
from checkout_tester.flow.loader import clear_cache, load_flow
from checkout_tester.flow.unique import Token, make_unique

TOKEN = Token(alnum="k3x9qa", letters="qkzxmv")
REPO = Path(__file__).resolve().parents[2]


def test_plain_spellings_keep_their_case() -> None:
    spelled = {v: make_unique("email", v, TOKEN) for v in
               ("janet.doe@example.com", "Janet.Doe@Example.com", "JANET.DOE@EXAMPLE.COM", "  janet+shop@example.com ")}
    assert spelled == {"janet.doe@example.com": "janet.doe.k3x9qa@example.com",
                       "Janet.Doe@Example.com": "Janet.Doe.k3x9qa@Example.com",
                       "JANET.DOE@EXAMPLE.COM": "JANET.DOE.K3X9QA@EXAMPLE.COM",
                       "  janet+shop@example.com ": "  janet.k3x9qa+shop@example.com "}


def test_names_get_a_letters_only_middle_name() -> None:
    assert make_unique("name", "Janet Doe", TOKEN) == "Janet Qkzxmv Doe"
    assert make_unique("name", "JANET DOE", TOKEN) == "JANET QKZXMV DOE"
    assert make_unique("name", "  Zoë O'Brien ", TOKEN) == "  Zoë Qkzxmv O'Brien "


def test_tokens_are_fresh_and_short() -> None:
    tokens = {unique.new_token() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert len(token.alnum) == 6 and token.alnum[0].isalpha() and token.alnum.isalnum()
        assert token.letters.isalpha() and token.letters.islower()


def _rows(flow_text: str, tmp_path: Path) -> dict[str, dict[str, object]]:
    """variant id -> the values a run with TOKEN types."""
    path = tmp_path / "u.flow.yaml"
    path.write_text(flow_text, encoding="utf-8")
    clear_cache()
    flow = load_flow(path, root=tmp_path)
    return {v.id: unique.apply(flow.unique, v, dict(v.values), TOKEN) for v in flow.variant_rows}


def test_equivalents_are_rewritten_from_the_unique_baseline(tmp_path: Path) -> None:
    rows = _rows("name: s\nvariants:\n  email: {equivalents: janet.doe@example.com, expect_refused: [inner-space]}\n"
                 "unique: [email]\nsteps: [{goto: /}]\n", tmp_path)
    typed = {vid.split("=")[1]: values["email"] for vid, values in rows.items()}
    assert typed["baseline"] == "janet.doe.k3x9qa@example.com"
    assert typed["capital-local"] == "Janet.Doe.K3X9Qa@example.com"
    assert typed["all-capitals"] == "JANET.DOE.K3X9QA@EXAMPLE.COM"
    assert typed["plus-address"] == "janet.doe.k3x9qa+shop@example.com"
    assert typed["surrounding-spaces"] == "  janet.doe.k3x9qa@example.com "
    assert " " in typed["inner-space"].strip()
    # every generated spelling still holds the token, and is the transformation the test id names
    for rewrite, value in typed.items():
        assert "k3x9qa" in value.lower(), (rewrite, value)
        expected = {g.id: g.value for g in generate("email", "janet.doe.k3x9qa@example.com", ("inner-space",))}
        assert value == expected[rewrite]
        if rewrite != "inner-space":
            assert is_valid_email(value.strip()), value


def test_name_equivalents_keep_the_token(tmp_path: Path) -> None:
    rows = _rows("name: s\nvariants:\n  full_name: {equivalents: Janet Doe}\nunique: [full_name]\n"
                 "steps: [{goto: /}]\n", tmp_path)
    typed = {vid.split("=")[1]: values["full_name"] for vid, values in rows.items()}
    assert typed["accented-apostrophe"] == "Zoë Qkzxmv O'Brien"
    assert typed["apostrophe"] == "Janet Qkzxmv O'Brien" and typed["hyphenated"] == "Janet Qkzxmv Doe-Smith"
    assert all("Qkzxmv" in v for v in typed.values()), typed
    assert len(typed["long"]) > 60


def test_ids_stay_stable_and_only_unique_inputs_change(tmp_path: Path) -> None:
    rows = _rows("name: s\nparams: {city: Springfield}\nvariants:\n  email: [a@example.com, A@Example.com]\n"
                 "unique: [email]\nsteps: [{goto: /}]\n", tmp_path)
    assert set(rows) == {"a@example.com", "A@Example.com"}
    assert rows["A@Example.com"] == {"email": "A.K3X9QA@Example.com"}


def test_a_run_types_a_new_email_every_time(tmp_path: Path) -> None:
    path = REPO / "flows" / "signup.flow.yaml"
    clear_cache()
    flow = load_flow(path, root=REPO)
    variant = flow.variant_rows[1]
    first = unique.apply(flow.unique, variant, dict(variant.values), unique.new_token())["email"]
    second = unique.apply(flow.unique, variant, dict(variant.values), unique.new_token())["email"]
    assert first != second and first.startswith("Janet.Doe.") and first.endswith("@Example.com")
