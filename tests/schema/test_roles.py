"""ARIA roles: the loader, `validate` and the schema take exactly the roles Playwright's get_by_role takes."""
from __future__ import annotations

import typing
from pathlib import Path

import pytest
from playwright.sync_api import Page

from checkout_tester.cli.main import main
from checkout_tester.flow.aria import ARIA_ROLES
from checkout_tester.flow.loader import clear_cache, load_flow
from checkout_tester.flow.schema import flow_json_schema


def test_the_roles_are_playwrights() -> None:
    role = typing.get_type_hints(Page.get_by_role)["role"]
    assert ARIA_ROLES == typing.get_args(role)  # after a Playwright upgrade: copy its list into flow/aria.py


def test_the_schema_offers_every_role_and_only_those() -> None:
    assert flow_json_schema()["$defs"]["AriaRole"]["enum"] == list(ARIA_ROLES)


def test_every_role_loads(tmp_path: Path) -> None:
    steps = "".join(f"  - expect_visible: {{role: {role}}}\n" for role in ARIA_ROLES)
    (tmp_path / "roles.flow.yaml").write_text(f"name: Roles\nsteps:\n{steps}", encoding="utf-8")
    clear_cache()
    flow = load_flow(tmp_path / "roles.flow.yaml", root=tmp_path)
    assert [step.args.role for step in flow.steps] == list(ARIA_ROLES)


FLOW = """\
# yaml-language-server: $schema=../schemas/flow.schema.json
name: Pay
steps:
  - goto: /checkout
  - click: {role: buton, name: Pay now}
  - press: {key: Enter, within: {role: Form}}
  - expect_visible: {role: zzzzqq}
"""


def test_validate_names_the_line_and_the_nearest_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "pay.flow.yaml").write_text(FLOW, encoding="utf-8")
    clear_cache()
    assert main(["validate", "flows"]) == 1
    out = capsys.readouterr()
    lines = out.err.splitlines()
    assert lines[0] == "bad role in click: 'buton' is not an ARIA role at flows/pay.flow.yaml:5 (step 2 click)"
    assert lines[1].startswith("  hint: did you mean 'button'? roles are the ones Playwright's get_by_role takes")
    assert lines[2] == "bad within.role in press: 'Form' is not an ARIA role at flows/pay.flow.yaml:6 (step 3 press)"
    assert lines[3].startswith("  hint: did you mean 'form'?")
    assert "'zzzzqq' is not an ARIA role at flows/pay.flow.yaml:7" in lines[4] and "did you mean" not in lines[5]
    assert "3 error(s)" in out.out and "Traceback" not in out.err
