"""Human messages, and the JSON Schema shipped for editors."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from checkout_tester.flow.loader import clear_cache, load_flow
from checkout_tester.flow.schema import (
    EXAMPLES,
    closest,
    flow_json_schema,
    inline,
    suggest,
    template_names,
)
from checkout_tester.flow.step_arguments import STEP_ARGS

GOOD = Path(__file__).parent / "good_flows"


# The committed schemas/ files and `checkout-tester schema`: tests/schema/.


def test_schema_has_a_step_per_verb_with_shorthands() -> None:
    schema = flow_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    step = schema["$defs"]["Step"]
    assert list(step["properties"]) == list(STEP_ARGS)
    assert (step["minProperties"], step["maxProperties"], step["additionalProperties"]) == (1, 1, False)
    click = step["properties"]["click"]
    assert click["anyOf"][0]["type"] == "string"
    fill = step["properties"]["fill"]
    assert fill == {"$ref": "#/$defs/FillArgs", "description": f"e.g. {EXAMPLES['fill']}"}
    assert schema["$defs"]["UseArgs"]["properties"]["with"]["type"] == "object"


@cache
def _validator():  # type: ignore[no-untyped-def]
    jsonschema = pytest.importorskip("jsonschema")
    schema = flow_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", ["signup.flow.yaml", "rows.flow.yaml", "parts/login.flow.yaml"])
def test_good_flows_match_the_schema(name: str) -> None:
    data = yaml.safe_load((GOOD / name).read_text(encoding="utf-8"))
    assert [e.message for e in _validator().iter_errors(data)] == []


@pytest.mark.parametrize("data", [
    {"name": "x", "steps": [{"clik": "Pay"}]},
    {"name": "x", "stpes": [{"goto": "/"}]},
    {"name": "x", "steps": []},
    {"name": "x", "steps": [{"click": {"label": "a", "text": "b"}}]},
    {"name": "x", "steps": [{"fill": "Email"}]},
    {"name": "x", "tags": "smoke", "steps": [{"goto": "/"}]},
])
def test_bad_flows_fail_the_schema(data: dict) -> None:
    assert list(_validator().iter_errors(data))


@pytest.mark.parametrize("verb", list(EXAMPLES))
def test_every_example_in_hints_is_a_valid_step(verb: str, tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts/login.flow.yaml").write_text("name: L\nparams: {email: x}\nsteps: [{goto: /}]\n")
    flow = tmp_path / "x.flow.yaml"
    flow.write_text(f"name: X\nparams: {{email: x}}\nsteps:\n  {EXAMPLES[verb]}\n")
    clear_cache()
    assert load_flow(flow).steps[0].kind == verb


def test_every_verb_has_an_example() -> None:
    assert set(EXAMPLES) == set(STEP_ARGS)


def test_did_you_mean() -> None:
    assert closest("clik", STEP_ARGS) == "click"
    assert suggest("lable", ["label", "value"], "fill takes: label, value") == \
        "did you mean 'label'? fill takes: label, value"
    assert suggest("zzzz", ["label", "value"], "fill takes: label, value") == "fill takes: label, value"


@pytest.mark.parametrize("value", [
    "Pay now", "/cart", "{{ email }}", "Total: 10", "yes", "0123", "", "a, b", "it's", " pad",
    {"role": "button", "name": "Pay now"}, [1, "x", None, True], {"with": {"email": "{{ email }}"}},
])
def test_inline_reads_back_as_the_same_value(value: object) -> None:
    assert yaml.safe_load(f"k: {inline(value)}")["k"] == value


@pytest.mark.parametrize("text, names, problem", [
    ("plain", [], None),
    ("{{ email }} and {{env.HOME}}", ["email", "env.HOME"], None),
    ("{{ a | upper }}", ["a"], None),
    ("{{ nick | default('x') }} {{ address.city }}", ["address.city"], None),  # under default: may be undefined
    ("{% for i in items %}{{ i }}{{ loop.index }}{% endfor %}", ["items"], None),
    ("{{ secret['CARD'] }} {{ env[name] }}", ["secret.CARD", "name"], None),
    ("{{ a | lowr }}", [], "unknown filter 'lowr' in '{{ a | lowr }}'"),
    ("{{ ''.__class__.__mro__ }}", [], "template '{{ ''.__class__.__mro__ }}' reaches for the Python attribute "
                                       "'__class__'"),
    ("{{ email.upper() }}", ["email.upper"], "template '{{ email.upper() }}' calls a method or function"),
    ("{{ email }", [], "template syntax error in '{{ email }': unexpected '}'"),
    ("email }}", [], "'}}' without its '{{' in 'email }}'"),
    ("{{ '}}' }}", [], None),
])
def test_template_names(text: str, names: list[str], problem: str | None) -> None:
    found, trouble = template_names(text)
    assert found == names
    assert (trouble.message if trouble else None) == problem
