"""The new format is checked when a flow loads: wrong keys and types name the file:line and a fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from checkout_tester.base.errors import ConfigError, FlowError
from checkout_tester.flow.loader import clear_cache, load_flow, validate_paths
from checkout_tester.target.config_file import load_target

STEP_CASES = {
    "count-without-bounds": ("- expect_count: {css: .cart-row}", 3,
                             "say how many: count, at_least or at_most", "expect_count: {css: .cart-row, count: 2}"),
    "count-and-range": ("- expect_count: {css: .row, count: 2, at_least: 1}", 3, "count is exact", "at_most"),
    "count-reversed": ("- expect_count: {css: .row, at_least: 3, at_most: 1}", 3, "at_least 3 is more than at_most 1",
                       "at_least: 1, at_most: 3"),
    "count-negative": ("- expect_count: {css: .row, count: -1}", 3, "count", "expect_count"),
    "nested-within-typo": ("- click: {text: Add, within: {css: .item, within: {tesid: list}}}", 3,
                           "unknown key 'tesid' in click within within", "did you mean 'testid'"),
    "has-text-number": ("- click: {text: Add, has_text: 5}", 3, "'has_text' in click must be text, not 5",
                        'has_text: "5"'),
    "exact-and-word": ("- expect_text: {text: Total, exact: true, word: true}", 3,
                       "exact (the whole text) and word (a whole word in it) exclude each other", "word: true"),
    "empty-without-within": ("- expect_text: {empty: true}", 3, "empty: true needs within:",
                             "expect_text: {within: {testid: cart-message}, empty: true}"),
    "empty-with-text": ("- expect_text: {text: x, empty: true, within: {css: p}}", 3, "empty: true takes no text",
                        "empty: true"),
    "attribute-missing": ("- expect_attribute: {css: a, value: /cart}", 3, "expect_attribute is missing 'attribute'",
                          "attribute: href"),
    "attribute-both": ("- expect_attribute: {css: a, attribute: href, value: /cart, matches: cart}", 3,
                       "give either value (equals) or matches (a regex)", "expect_attribute: {testid: cart-link"),
    "attribute-bad-regex": ("- expect_attribute: {css: a, attribute: href, matches: '('}", 3,
                            "matches '(' is not a valid regex", "matches:"),
    "attribute-bad-name": ("- expect_attribute: {css: a, attribute: 'aria pressed', value: 'true'}", 3,
                           "'aria pressed' is not an attribute name", "aria-expanded"),
    "value-unknown-key": ("- expect_value: {label: Email, valeu: x}", 3, "unknown key 'valeu' in expect_value",
                          "did you mean 'value'"),
    "cookie-url-and-domain": ("- set_cookie: {name: a, value: b, url: /, domain: shop.example}", 3,
                              "give url, or domain (and path), not both", "set_cookie: {name: consent"),
    "cookie-same-site": ("- set_cookie: {name: a, value: b, same_site: lax}", 3, "same_site must be Strict, Lax or None",
                         "same_site: Lax"),
    "cookie-yes": ("- set_cookie: {name: consent, value: yes}", 3, "'value' in set_cookie must be text, not true",
                   'value: "true"'),
    "local-storage-missing": ("- set_local_storage: {key: cart}", 3, "set_local_storage is missing 'value'",
                              "set_local_storage: {key: remembered-user"),
    "storage-state-mapping": ("- save_storage_state: {file: x.json}", 3, "unknown key 'file' in save_storage_state",
                              "save_storage_state takes"),
    "soft-not-bool": ("- expect_text: {text: Hi, soft: maybe}", 3, "'soft' in expect_text must be true or false",
                      "expect_text"),
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.flow.yaml"
    path.write_text(text, encoding="utf-8")
    clear_cache()
    return path


@pytest.mark.parametrize("case", list(STEP_CASES))
def test_a_wrong_step_argument_names_file_line_and_fix(tmp_path: Path, case: str) -> None:
    step, line, message, hint = STEP_CASES[case]
    path = _write(tmp_path, f"name: Bad\nsteps:\n  {step}\n")
    with pytest.raises(FlowError) as caught:
        load_flow(path, root=tmp_path)
    text = str(caught.value)
    assert message in text, text
    assert f"bad.flow.yaml:{line}" in text, text
    assert caught.value.hint and hint in caught.value.hint, text


ROW_CASES = {
    "expect-failure-number": ("  - {id: a, user: x, expect_failure: 3}", 4,
                              "expect_failure must be the text the failure shows, or {message, class}, not 3"),
    "expect-failure-key": ("  - {id: a, user: x, expect_failure: {mesage: locked}}", 4,
                           "unknown key 'mesage' in expect_failure"),
    "expect-failure-class": ("  - {id: a, user: x, expect_failure: {class: visible error}}", 4,
                             "'visible error' is not a failure class"),
}


@pytest.mark.parametrize("case", list(ROW_CASES))
def test_a_wrong_expect_failure_names_file_line_and_fix(tmp_path: Path, case: str) -> None:
    row, line, message = ROW_CASES[case]
    path = _write(tmp_path, f"name: Bad\nvariants:\n  - {{id: ok, user: y}}\n{row}\nsteps:\n  - goto: /\n")
    errors = validate_paths([path], root=tmp_path)
    assert errors, "no error"
    text = str(errors[0])
    assert message in text and f"bad.flow.yaml:{line}" in text, text
    assert errors[0].hint, text


def test_expect_failure_is_not_an_input_value_and_rows_may_leave_it_out(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: Rows\nvariants:\n  - {id: ok, user: standard_user}\n"
                  "  - {id: locked, user: locked_out_user, expect_failure: {message: locked out, "
                  "class: visible error message}}\nsteps:\n  - goto: /\n")
    ok, locked = load_flow(path, root=tmp_path).variants
    assert dict(locked.values) == {"user": "locked_out_user"} and not ok.expect_failure
    assert (locked.expect_failure, locked.expect_class) == ("locked out", "visible error message")


def test_storage_state_of_a_flow_is_a_path_or_false(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: S\nstorage_state: 3\nsteps:\n  - goto: /\n")
    with pytest.raises(FlowError) as caught:
        load_flow(path, root=tmp_path)
    assert "storage_state must be the path of a saved state (or false), not 3 at bad.flow.yaml:2" in str(caught.value)
    path = _write(tmp_path, "name: S\nstorage_state: false\nsteps:\n  - goto: /\n")
    assert load_flow(path, root=tmp_path).storage_state is False


def test_the_testid_attribute_of_a_target_must_be_an_attribute_name(tmp_path: Path) -> None:
    config = tmp_path / "t.yaml"
    config.write_text("base_url: demo\ntestid_attribute: 'data test'\n")
    with pytest.raises(ConfigError, match="'data test' is not an attribute name; e.g. testid_attribute: data-test"):
        load_target(config)
    config.write_text("base_url: demo\ntestid_attribute: data-qa\nstorage_state: state/user.json\n")
    target = load_target(config)
    assert (target.testid_attribute, target.storage_state) == ("data-qa", "state/user.json")
