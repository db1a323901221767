"""The isolation search without a browser: ddmin over a fake trial function, the inputs it varies, its words."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from checkout_tester.base.redaction import Redactor
from checkout_tester.flow.loader import load_flow
from checkout_tester.reproduce import simplify
from checkout_tester.reproduce.ddmin import ddmin
from checkout_tester.reproduce.isolate import search
from checkout_tester.reproduce.simplify import Input

EMAIL = Input("email", "Janet.Doe+shop@Example.com", "email", unique=True)
NAME = Input("name", "  Zoë Anne O'Brien", "name")
VISIBLE = "visible error message"


@pytest.mark.parametrize("size", [8, 16, 32])
def test_ddmin_finds_one_necessary_change_in_about_2_log2_n_tries(size: int) -> None:
    brute_force = 2 ** size - 1  # every non-empty combination
    for needed in range(size):
        tried: list[tuple[int, ...]] = []

        def passes(subset: list[int], needed: int = needed, tried: list[tuple[int, ...]] = tried) -> bool:
            tried.append(tuple(subset))
            return needed in subset

        found = ddmin(list(range(size)), passes)
        assert found == [needed]
        assert len(tried) <= 2 * math.log2(size) < size < brute_force
        assert len(set(tried)) == len(tried)  # no subset tried twice


def test_ddmin_keeps_two_changes_that_only_work_together() -> None:
    tried: list[tuple[str, ...]] = []
    items = [f"change-{i}" for i in range(16)]
    found = ddmin(items, lambda subset: tried.append(tuple(subset)) or {"change-3", "change-12"} <= set(subset))
    assert found == ["change-3", "change-12"]  # 1-minimal: neither can go
    assert len(tried) == len(set(tried)) < 2 ** 16 - 1


def _lower_email_passes(typed: dict[str, str]) -> str:
    """The uppercase-email store: any capital in the email fails; the name is never a problem."""
    return VISIBLE if typed["email"] != typed["email"].lower() else ""


def test_search_names_the_case_change_and_the_input_that_does_not_matter() -> None:
    lines: list[str] = []
    result = search([EMAIL, NAME], _lower_email_passes, "Sign up", "capitalised", progress=lines.append)
    assert result.verdict == "isolated"
    assert [(c.input, c.kind) for c in result.changes] == [("email", "lower-case")]
    assert result.irrelevant == ["name"]
    assert result.failure_class == VISIBLE
    assert result.runs == len(result.tries) == len(lines) <= 8
    assert result.tries[0].changes == () and result.tries[0].outcome == "failed"
    assert ("the flow passes once the capital letters in `Janet.Doe+shop@Example.com` are lowered "
            "(`janet.doe+shop@example.com`); the store treats the email case-sensitively.") in result.text
    assert "The name does not matter: the flow passes with `  Zoë Anne O'Brien` as it is." in result.text
    assert f"Searched in {result.runs} runs" in result.text
    assert "fresh token (`unique:`)" in result.text
    assert result.as_json()["changes"] == [{"input": "email", "kind": "lower-case",
                                            "before": EMAIL.value, "after": "janet.doe+shop@example.com"}]


def test_search_says_no_change_helps_when_the_failure_does_not_depend_on_the_inputs() -> None:
    result = search([EMAIL, NAME], lambda typed: "expected content missing")
    assert result.verdict == "independent" and result.changes == []
    assert result.runs == 3  # as reported, everything at once, the equivalent forms only
    assert result.text.startswith("**Smallest failing input** (`--isolate`): no change of the inputs makes the "
                                  "flow pass: the failure does not depend on them.")


def test_another_failure_class_is_inconclusive_and_single_changes_are_tried() -> None:
    def store(typed: dict[str, str]) -> str:
        if typed["name"] != NAME.value and typed["name"].strip() == typed["name"]:
            return "element not found"  # a simpler name breaks something else: not the reported failure
        return "" if "+" not in typed["email"] else VISIBLE

    result = search([EMAIL, NAME], store)
    assert result.verdict == "isolated"
    assert [(c.input, c.kind) for c in result.changes] == [("email", "no-plus-tag")]
    assert "inconclusive" in [t.outcome for t in result.tries]
    assert "the store refuses plus-addressing" in result.text


def test_the_run_cap_stops_the_search_and_says_so() -> None:
    result = search([EMAIL, NAME], _lower_email_passes, max_runs=3)
    assert result.runs == 3 and result.capped
    assert result.verdict == "isolated" and len(result.changes) > 1  # the smallest found before the cap
    assert "stopped at its cap of 3 runs" in result.text
    never = search([EMAIL], lambda typed: VISIBLE if typed["email"] != "x" else "", max_runs=2)
    assert never.capped and never.verdict == "inconclusive" and "cap of 2 runs" in never.text


def test_a_flow_that_passes_as_reported_has_nothing_to_isolate() -> None:
    result = search([EMAIL], lambda typed: "")
    assert result.verdict == "passes" and result.runs == 1
    assert "nothing to isolate" in result.text


@pytest.mark.parametrize(("item", "kind", "words"), [
    (Input("email", " janet@example.com ", "email"), "trim", "the spaces around ` janet@example.com ` are trimmed"),
    (Input("name", "Zoë Doe", "name"), "ascii-fold", "folded to plain ASCII (`Zoe Doe`)"),
    (Input("email", "janet+shop@example.com", "email"), "no-plus-tag", "plus tag is removed"),
    (Input("name", "Janet Anne Doe", "name"), "drop-middle", "middle name is dropped from `Janet Anne Doe` (`Janet Doe`)"),
    (Input("email", "janet.doe@example.com", "email"), "no-dots", "(`janetdoe@example.com`)"),
    (Input("email", "janet.doe@example.com", "email"), "shorten", "is shortened (`janet@example.com`)"),
])
def test_each_kind_of_change_is_explained(item: Input, kind: str, words: str) -> None:
    change = next(c for c in simplify.candidates(item) if c.kind == kind)
    text, why = simplify.describe(item, [change], str)
    assert words in text and why and why[0].startswith("the store")


def test_secrets_vars_and_templates_are_handled_when_choosing_inputs(tmp_path: Path) -> None:
    path = tmp_path / "inputs.flow.yaml"
    path.write_text("""name: Inputs
vars:
  password: "{{ secret.SHOP_PASSWORD }}"
params:
  email: "{{ fake.email }}"
  token: "{{ secret.API_TOKEN }}"
  city: Springfield
variants:
  - {id: a, name: Janet Doe, card: "4242 4242 4242 4242"}
unique: [name]
steps:
  - goto: /
""", encoding="utf-8")
    flow = load_flow(path, root=tmp_path)
    redactor = Redactor()
    redactor.add("4242 4242 4242 4242")
    found = simplify.inputs(flow, flow.variants[0], {"city": "Shelbyville"}, redactor,
                            lambda name: "s3cret", {})
    by_name = {i.name: i for i in found}
    assert set(by_name) == {"email", "city", "name"}  # no var, no secret template, no secret value
    assert by_name["email"].value.endswith("@example.com") and "{{" not in by_name["email"].value
    assert by_name["city"].value == "Shelbyville" and by_name["city"].origin == "value"
    assert by_name["name"].unique and by_name["name"].kind == "name"
