"""YAML parsing with line numbers, and syntax errors in plain words."""
from __future__ import annotations

import pytest

from checkout_tester.base.errors import FlowError
from checkout_tester.flow.yamlsource import parse_yaml

TEXT = """\
# a comment first
name: Checkout
tags: [a, b]
steps:
  - goto: /cart
  - click:
      role: button
      name: Pay now
  - fill: {label: Email,
           value: x}
"""


def test_plain_data() -> None:
    doc = parse_yaml(TEXT, "f.yaml")
    assert doc.data == {
        "name": "Checkout", "tags": ["a", "b"],
        "steps": [{"goto": "/cart"}, {"click": {"role": "button", "name": "Pay now"}},
                  {"fill": {"label": "Email", "value": "x"}}],
    }


@pytest.mark.parametrize("path, line", [
    ((), 2), (("name",), 2), (("tags",), 3), (("tags", 1), 3), (("steps",), 4), (("steps", 0), 5),
    (("steps", 1), 6), (("steps", 1, "click"), 6), (("steps", 1, "click", "name"), 8),
    (("steps", 2, "fill", "value"), 10),
    (("steps", 1, "click", "missing"), 6),  # falls back to the nearest parent
])
def test_lines(path: tuple, line: int) -> None:
    assert parse_yaml(TEXT, "f.yaml").line(path) == line


def test_source_names_the_file() -> None:
    assert str(parse_yaml(TEXT, "flows/f.yaml").source(("steps", 0))) == "flows/f.yaml:5"


def test_scalar_types_follow_yaml() -> None:
    doc = parse_yaml("a: 1\nb: 1.5\nc: true\nd: null\ne: '1'\nf: 2s\n", "f.yaml")
    assert doc.data == {"a": 1, "b": 1.5, "c": True, "d": None, "e": "1", "f": "2s"}


def test_merge_keys_keep_explicit_values_and_their_lines() -> None:
    doc = parse_yaml("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert doc.data["use"] == {"y": 3, "x": 1}
    assert doc.line(("use", "y")) == 4
    assert doc.line(("use", "x")) == 1


def test_empty_document() -> None:
    assert parse_yaml("# nothing\n", "f.yaml").data is None


def test_duplicate_key_is_an_error() -> None:
    with pytest.raises(FlowError, match=r"key 'a' appears twice .* at f.yaml:2"):
        parse_yaml("a: 1\na: 2\n", "f.yaml")


def test_unknown_tag_is_an_error() -> None:
    with pytest.raises(FlowError, match=r"unknown YAML tag '!secret' at f.yaml:1"):
        parse_yaml("a: !secret x\n", "f.yaml")


@pytest.mark.parametrize("text, line, words", [
    ("a:\n\t- b\n", 2, "tab character"),
    ("a: x: y\n", 1, "unexpected ':'"),
    ("a:\n  - b: 1\n   - c: 2\n", 3, "not lined up with the items"),
    ("a: 1\n b: 2\nc: 3\n", 2, "unexpected ':'"),
    ("a: [1, 2\nb: 3\n", 2, "'[' opened at line 1 is not closed"),
    ("a: {x: 1\n", 2, "'{' opened at line 1 is not closed"),
    ("a: 'open\nb: 2\n", 1, "quote opened at line 1 is never closed"),
    ("a: *nowhere\n", 1, "anchor '&name' that is not defined"),
    ("a: 1\n---\nb: 2\n", 2, "one YAML document"),
    ("a: 1\nb\nc: 2\n", 2, "has no ':'"),
    ("a: @home\n", 1, "character YAML reserves"),
])
def test_syntax_errors_in_plain_words(text: str, line: int, words: str) -> None:
    with pytest.raises(FlowError) as caught:
        parse_yaml(text, "f.yaml")
    assert str(caught.value).startswith("YAML syntax error: ")
    assert words in caught.value.message
    assert caught.value.source is not None and caught.value.source.line == line
