"""Loading good flows: the model built, paths shown, the cache, collecting every error."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from checkout_tester.base.errors import FlowError
from checkout_tester.flow import loader
from checkout_tester.flow.loader import clear_cache, find_flow_files, load_flow, load_flows, saved_names, validate_paths
from checkout_tester.flow.step_arguments import ClickArgs, FillArgs, TextArgs, UseArgs
from checkout_tester.flow.yamlsource import YamlDoc

HERE = Path(__file__).parent
REPO = HERE.parents[1]
GOOD = HERE / "good_flows"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    clear_cache()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _touch_later(path: Path) -> None:
    # Some filesystems keep coarse mtimes: move it forward so the change is seen for sure.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def test_signup_flow_top_level() -> None:
    flow = load_flow(GOOD / "signup.flow.yaml")
    assert flow.name == "Sign up a new shopper"
    assert flow.path == "tests/unit/good_flows/signup.flow.yaml"
    assert str(flow.source) == "tests/unit/good_flows/signup.flow.yaml:1"
    assert flow.description == "optional text"
    assert flow.tags == ("signup", "smoke")
    assert flow.params == {"email": "{{ fake.email }}"}  # templates stay as written: resolved per run
    assert flow.vars == {"password": "{{ secret.SHOP_PASSWORD }}"}
    assert flow.budgets == {"page_load": "2s", "step": "5s"}
    assert [(v.id, dict(v.values)) for v in flow.variants] == [
        ("janet.doe@example.com", {"email": "janet.doe@example.com"}),
        ("Janet.Doe@Example.com", {"email": "Janet.Doe@Example.com"}),
    ]


def test_signup_flow_steps() -> None:
    steps = load_flow(GOOD / "signup.flow.yaml").steps
    assert [s.kind for s in steps] == ["goto", "fill", "click", "expect_url", "expect_text", "frame", "popup",
                                       "save", "use", "use", "expect_text"]
    assert [s.index for s in steps] == [str(i) for i in range(1, 12)]
    assert steps[0].source.line == 10 and steps[10].source.line == 27
    assert steps[1].args == FillArgs.model_validate({"label": "Email", "value": "{{ email }}"})
    assert steps[2].title == "click role='button' name='Create account'"
    assert isinstance(steps[4].args, TextArgs) and steps[4].args.text == "Welcome"  # shorthand


def test_nested_steps_are_children_and_trigger() -> None:
    steps = load_flow(GOOD / "signup.flow.yaml").steps
    frame, popup = steps[5], steps[6]
    assert frame.args.title == "Card payment"  # type: ignore[attr-defined]
    assert [(c.index, c.kind, c.source.line) for c in frame.children] == [("6.1", "fill", 18)]
    assert popup.trigger is not None
    assert (popup.trigger.index, popup.trigger.kind, popup.trigger.source.line) == ("7.0", "click", 20)
    assert popup.trigger.args == ClickArgs.model_validate({"role": "button", "name": "Pay with one click"})
    assert [c.index for c in popup.children] == ["7.1", "7.2"]


def test_use_loads_the_subflow() -> None:
    steps = load_flow(GOOD / "signup.flow.yaml").steps
    login, cart = steps[8], steps[9]
    assert isinstance(login.args, UseArgs) and login.args.with_ == {"email": "{{ email }}"}
    assert login.subflow is not None and login.subflow.name == "Log in"
    assert login.subflow.path == "tests/unit/good_flows/parts/login.flow.yaml"
    assert login.subflow.steps[0].source.file == login.subflow.path
    assert cart.args.flow == "parts/add_to_cart.part.yaml"  # type: ignore[attr-defined]
    assert cart.subflow is not None and saved_names(cart.subflow) == {"cart_id"}


def test_saved_names_reach_into_frames_popups_and_subflows() -> None:
    assert saved_names(load_flow(GOOD / "signup.flow.yaml")) == {"approval", "order_number", "cart_id"}


def test_variant_rows_merge_keys_and_every_verb() -> None:
    flow = load_flow(GOOD / "rows.flow.yaml")
    assert [v.id for v in flow.variants] == ["germany", "France-75001"]
    assert flow.variants[0].values == {"country": "Germany", "postcode": "10115"}
    billing: Any = flow.steps[3].args
    assert (billing.label, billing.value, billing.timeout) == ("Billing postcode", "{{ postcode }}", "5s")
    assert flow.steps[5].args.target().placeholder == "Search"  # type: ignore[attr-defined]


def test_cartesian_variants(tmp_path: Path) -> None:
    path = _write(tmp_path / "grid.flow.yaml", """\
name: Grid
variants: {email: [a@b.c, A@B.C], country: [de, fr]}
steps:
  - expect_text: "{{ email }} {{ country }}"
""")
    flow = load_flow(path)
    assert [v.id for v in flow.variants] == ["a@b.c-de", "a@b.c-fr", "A@B.C-de", "A@B.C-fr"]
    assert flow.variant_rows == flow.variants


def test_no_variants_gives_one_unnamed_row() -> None:
    flow = load_flow(GOOD / "parts/login.flow.yaml")
    assert flow.variants == () and flow.variant_rows[0].id == ""


def test_path_outside_cwd_is_absolute(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.flow.yaml", "name: X\nsteps: [{goto: /}]\n")
    flow = load_flow(path)
    assert flow.path == str(path.resolve()) and flow.steps[0].source.file == flow.path


def test_root_sets_what_paths_are_relative_to(tmp_path: Path) -> None:
    path = _write(tmp_path / "flows" / "x.flow.yaml", "name: X\nsteps: [{goto: /}]\n")
    assert load_flow(path, root=tmp_path).path == "flows/x.flow.yaml"


def test_each_file_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = loader.parse_yaml

    def counting(text: str, file: str) -> YamlDoc:
        calls.append(file)
        return real(text, file)

    monkeypatch.setattr(loader, "parse_yaml", counting)
    first = load_flow(GOOD / "signup.flow.yaml")
    again = load_flow(GOOD / "signup.flow.yaml")
    load_flow(GOOD / "parts/login.flow.yaml")
    assert again is first
    assert sorted(calls) == sorted(["tests/unit/good_flows/signup.flow.yaml",
                                    "tests/unit/good_flows/parts/login.flow.yaml",
                                    "tests/unit/good_flows/parts/add_to_cart.part.yaml"])


def test_cache_sees_a_changed_subflow(tmp_path: Path) -> None:
    main = _write(tmp_path / "main.flow.yaml", "name: Main\nsteps:\n  - use: part.part.yaml\n")
    part = _write(tmp_path / "part.part.yaml", "name: Part\nsteps:\n  - goto: /a\n")
    assert load_flow(main).steps[0].subflow.steps[0].args.url == "/a"  # type: ignore[union-attr,attr-defined]
    _write(part, "name: Part\nsteps:\n  - goto: /bb\n")
    _touch_later(part)
    assert load_flow(main).steps[0].subflow.steps[0].args.url == "/bb"  # type: ignore[union-attr,attr-defined]


def test_cache_sees_an_edited_file_turn_bad(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.flow.yaml", "name: X\nsteps: [{goto: /}]\n")
    load_flow(path)
    _write(path, "name: X\nsteps: [{gotoo: /}]\n")
    _touch_later(path)
    with pytest.raises(FlowError, match="did you mean 'goto'"):
        load_flow(path)


def test_saved_value_from_a_subflow_is_known_after_it(tmp_path: Path) -> None:
    _write(tmp_path / "parts/buy.part.yaml", "name: Buy\nsteps:\n  - save: {var: order, testid: order}\n")
    main = _write(tmp_path / "main.flow.yaml",
                  "name: Main\nsteps:\n  - use: parts/buy.part.yaml\n  - expect_text: 'Order {{ order }}'\n")
    assert load_flow(main).steps[1].args.text == "Order {{ order }}"  # type: ignore[attr-defined]


def test_load_flows_expands_folders_sorted() -> None:
    flows = load_flows([GOOD])
    assert [f.path for f in flows] == ["tests/unit/good_flows/parts/login.flow.yaml",
                                       "tests/unit/good_flows/rows.flow.yaml",
                                       "tests/unit/good_flows/signup.flow.yaml"]


def test_find_flow_files_rejects_a_missing_path() -> None:
    with pytest.raises(FlowError, match="no flow file or folder 'nope'"):
        find_flow_files(["nope"])


def test_validate_good_flows_finds_nothing() -> None:
    assert validate_paths([GOOD]) == []


def test_validate_collects_every_error_in_a_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.flow.yaml", """\
name: Many mistakes
stpes: []
steps:
  - clik: Pay
  - fill: {label: Email}
  - expect_text: "{{ emial }}"
""")
    errors = validate_paths([path], root=tmp_path)
    assert [(e.source.line, e.step) for e in errors if e.source] == [
        (2, None), (4, "1"), (5, "2 fill"), (6, "3 expect_text")]


def test_validate_checks_part_files_and_reports_missing_paths(tmp_path: Path) -> None:
    _write(tmp_path / "parts/broken.part.yaml", "name: Broken\nsteps: [{clik: x}]\n")
    errors = validate_paths([tmp_path, tmp_path / "missing"], root=tmp_path)
    assert [str(e).splitlines()[0] for e in errors] == [
        "unknown step 'clik' at parts/broken.part.yaml:2 (step 1)",
        f"no flow file or folder '{tmp_path / 'missing'}'",
    ]


def test_loading_200_flows_parses_each_once(tmp_path: Path) -> None:
    # Speed is measured in benchmarks/validation.py; here: a second load reuses every parsed flow.
    text = (GOOD / "rows.flow.yaml").read_text(encoding="utf-8")
    for i in range(200):
        _write(tmp_path / f"f{i:03}.flow.yaml", text)
    first = load_flows([tmp_path])
    assert len(first) == 200
    assert all(a is b for a, b in zip(first, load_flows([tmp_path]), strict=True))


def test_templates_with_filters_defaults_and_keys_load(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.flow.yaml", """\
name: Templates
vars:
  shopper: {name: janet doe, email: Janet@Example.com}
steps:
  - fill: {label: Email, value: "{{ shopper.email | lower }}"}
  - fill: {label: Name, value: "{{ shopper['name'] | title }}"}
  - fill: {label: Note, value: "{{ nickname | default('none') }} {{ env.REGION | default('eu') }}"}
  - expect_text: "{% if shopper.name %}{{ shopper.name | upper }}{% endif %}"
""")
    flow = load_flow(path)
    assert flow.steps[0].args.value == "{{ shopper.email | lower }}"  # type: ignore[attr-defined]


def test_every_template_mistake_of_a_file_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.flow.yaml", """\
name: Template mistakes
vars:
  email: a@b.c
steps:
  - fill: {label: Email, value: "{{ email | lowr }}"}
  - fill: {label: Email, value: "{{ emial | lower }}"}
  - fill: {label: Email, value: "{{ email.__class__ }}"}
  - expect_text: "{{ email }"
  - expect_text: "{{ run.number }}"
  - expect_text: "{{ secrt.CARD }}"
""")
    errors = validate_paths([path], root=tmp_path)
    assert [(e.source.line, e.message.split(" in ")[0]) for e in errors if e.source] == [
        (5, "unknown filter 'lowr'"), (6, "undefined variable 'emial'"),
        (7, "template '{{ email.__class__ }}' reaches for the Python attribute '__class__'"),
        (8, "template syntax error"), (9, "'{{ run.number }}' does not exist"), (10, "undefined variable 'secrt'")]
    assert "did you mean 'email'?" in str(errors[1]) and "did you mean 'secret.CARD'?" in str(errors[5])


def test_loop_variables_are_not_undefined(tmp_path: Path) -> None:
    path = _write(tmp_path / "l.flow.yaml", """\
name: Loop
vars: {sizes: [S, M]}
steps:
  - expect_text: "{% for size in sizes %}{{ size }}{% endfor %}"
  - expect_text: "{% for size in sizez %}{{ size }}{% endfor %}"
""")
    errors = validate_paths([path], root=tmp_path)
    assert [str(e).splitlines()[0] for e in errors] == ["undefined variable 'sizez' at l.flow.yaml:5 (step 2 expect_text)"]
