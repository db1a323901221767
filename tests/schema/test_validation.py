"""The generated schemas, as the `jsonschema` library applies them: the shipped files pass, the mistakes an
editor should flag fail at a useful path, and where it matters the schema and the loader agree exactly."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from checkout_tester.base.errors import ConfigError
from checkout_tester.flow.schema import flow_json_schema
from checkout_tester.flow.schema_defs import shared_defs
from checkout_tester.flow.step_arguments import parse_duration_ms
from checkout_tester.target.config_file import read_target
from checkout_tester.target.target_schema import target_json_schema
from tests.schema.test_schema_files import REPO, SHIPPED_FLOWS, SHIPPED_TARGETS


@cache
def _validator(kind: str) -> Any:
    schema = flow_json_schema() if kind == "flow" else target_json_schema()
    cls = jsonschema.validators.validator_for(schema)  # the draft the schema's $schema names
    cls.check_schema(schema)
    return cls(schema)


def _errors(kind: str, data: Any) -> list[tuple[list[Any], str]]:
    return [(list(e.absolute_path), e.message) for e in _validator(kind).iter_errors(data)]


@pytest.mark.parametrize("path", SHIPPED_FLOWS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_flow_matches_the_flow_schema(path: Path) -> None:
    assert _errors("flow", yaml.safe_load(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("path", SHIPPED_TARGETS, ids=lambda p: p.name)
def test_every_shipped_target_matches_the_target_schema(path: Path) -> None:
    assert _errors("target", yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def _step(step: dict[str, Any]) -> dict[str, Any]:
    return {"name": "x", "steps": [{"goto": "/"}, step]}


@pytest.mark.parametrize("flow, path", [
    (_step({"click": {"text": "Pay", "timeout": "ten seconds"}}), ["steps", 1, "click"]),
    (_step({"click": {"role": "buton", "name": "Pay now"}}), ["steps", 1, "click"]),
    (_step({"press": {"key": "Enter", "role": "texbox"}}), ["steps", 1, "press"]),
    (_step({"click": {"text": "Pay", "within": {"role": "Navigation"}}}), ["steps", 1, "click"]),
    (_step({"click": {"text": "Pay", "budget": {"warn": "2 secs"}}}), ["steps", 1, "click"]),
    (_step({"click": {"text": "Pay", "budget": {"worn": "2s"}}}), ["steps", 1, "click"]),
    ({**_step({"goto": "/"}), "budgets": {"page_load": "two seconds"}}, ["budgets", "page_load"]),
    ({**_step({"goto": "/"}), "budgets": {"page_lod": "2s"}}, ["budgets"]),
    ({**_step({"goto": "/"}), "budgets": {"cls": "0.1s"}}, ["budgets", "cls"]),
    ({**_step({"goto": "/"}), "budgets": {"pages": {"accounts/*": {"lcp": "2s"}}}}, ["budgets", "pages"]),
    ({**_step({"goto": "/"}), "monitor": {"every": "5 minutes"}}, ["monitor", "every"]),
])
def test_flow_mistakes_fail_the_schema_where_they_are(flow: dict[str, Any], path: list[Any]) -> None:
    errors = _errors("flow", flow)
    assert errors and all(where[: len(path)] == path for where, _ in errors), errors


@pytest.mark.parametrize("step, path, words", [
    ({"click": {"role": "buton", "name": "Pay now"}}, ["click", "role"], "'buton' is not valid"),
    ({"click": {"text": "Pay", "timeout": "ten seconds"}}, ["click", "timeout"], "'ten seconds' does not match"),
    ({"fill": {"lable": "Email", "value": "x"}}, ["fill"], "'lable' was unexpected"),
    ({"goto": {"url": "/", "timeout": "1 hour"}}, ["goto", "timeout"], "does not match"),
    ({"clik": "Pay"}, [], "'clik' was unexpected"),
    ({"goto": "/", "click": "Pay"}, [], "has too many properties"),
])
def test_the_best_error_names_the_wrong_key_or_value(step: dict[str, Any], path: list[Any], words: str) -> None:
    best = jsonschema.exceptions.best_match(_validator("flow").iter_errors(_step(step)))
    assert best is not None and list(best.absolute_path) == ["steps", 1, *path], best
    assert words in best.message, best.message


@pytest.mark.parametrize("target, path, words", [
    ({"base_url": "demo", "timeout": {"step": "10s"}}, [], "'timeout' was unexpected"),
    ({"browser": {"headles": True}}, ["browser"], "'headles' was unexpected"),
    ({"timeouts": {"step": "ten seconds"}}, ["timeouts", "step"], "does not match"),
    ({"detectors": {"console_errors": "loud"}}, ["detectors", "console_errors"], ""),
    ({"detectors": {"console_error": "warn"}}, ["detectors"], "'console_error' was unexpected"),
    ({"budgets": {"page_lod": "2s"}}, ["budgets"], "'page_lod' was unexpected"),
    ({"mail": {"sink": "smtp", "prot": 2525}}, ["mail"], ""),
    ({"secrets": {"CARD": {"env": "X", "defualt": "4242"}}}, ["secrets", "CARD"], "'defualt' was unexpected"),
    ({"base_url": "shop.example.com"}, ["base_url"], "does not match"),
    ({"allow_effects": ["charge-card"]}, ["allow_effects", 0], "is not one of"),
    ({"accessibility": {"audit": "sometimes"}}, ["accessibility", "audit"], "is not one of"),
])
def test_target_mistakes_fail_the_schema_and_the_loader(tmp_path: Path, target: dict[str, Any], path: list[Any],
                                                         words: str) -> None:
    errors = _errors("target", target)
    assert errors and all(where[: len(path)] == path for where, _ in errors), errors
    assert any(words in message for _, message in errors), errors
    file = tmp_path / "shop.yaml"
    file.write_text(yaml.safe_dump(target), encoding="utf-8")
    with pytest.raises(ConfigError):
        read_target(file)  # what the editor flags, the tool refuses too


@pytest.mark.parametrize("target", [
    {"timeouts": {"step": 10000, "navigation": "1.5s", "expect": "2m"}, "mail": {"sink": "mailpit", "clock_skew": 500}},
    {"detectors": {"console_errors": "warn", "dialogs": {"beforeunload": "ignore"}}, "accessibility": {"audit": False}},
    {"budgets": {"page_load": {"warn": "2s", "fail": None}, "cls": 0.1, "pages": {"/cart": {"lcp": "3s"}}}},
])
def test_what_the_loader_takes_the_schema_takes(tmp_path: Path, target: dict[str, Any]) -> None:
    file = tmp_path / "shop.yaml"
    file.write_text(yaml.safe_dump(target), encoding="utf-8")
    read_target(file)
    assert _errors("target", target) == []


def _schema_takes_duration(value: Any) -> bool:
    return jsonschema.Draft202012Validator(shared_defs()["Duration"]).is_valid(value)


def _loader_takes_duration(value: Any) -> bool:
    try:
        parse_duration_ms(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("value", ["10s", "500ms", "1.5s", "2m", "10 s", 1500, 2.5, "250"])
def test_durations_the_loader_takes(value: Any) -> None:
    assert _schema_takes_duration(value) and _loader_takes_duration(value)


@pytest.mark.parametrize("value", ["ten seconds", "10sec", "1h", "1.s", ".5s", "-2s", "", "2 m s", True, None, [1]])
def test_durations_the_loader_refuses(value: Any) -> None:
    assert not _schema_takes_duration(value) and not _loader_takes_duration(value)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(alphabet="0123456789.msh \t-e", max_size=8), st.integers(), st.floats(allow_nan=False),
                 st.booleans()))
def test_the_schema_and_the_loader_agree_on_every_duration(value: Any) -> None:
    assert _schema_takes_duration(value) == _loader_takes_duration(value), repr(value)
