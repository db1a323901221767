"""`checkout-tester schema` and the committed schemas/ files: generated from the models, never drifting, and
named by the first line of every shipped YAML file."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from checkout_tester.cli.main import main
from checkout_tester.flow.schema_defs import FLOW_FILE, FLOW_ID, TARGET_FILE, TARGET_ID
from checkout_tester.target.target_schema import schema_texts

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
SHIPPED_FLOWS = sorted([*REPO.glob("flows/**/*.flow.yaml"), *REPO.glob("flows/**/*.part.yaml")])
SHIPPED_TARGETS = sorted(REPO.glob("config/*.yaml"))


@pytest.mark.parametrize("name", [FLOW_FILE, TARGET_FILE])
def test_the_committed_schemas_are_what_the_command_generates(name: str) -> None:
    # After changing a step's arguments or the target config: `checkout-tester schema` (writes schemas/).
    assert (SCHEMAS / name).read_text(encoding="utf-8") == schema_texts()[name]


def test_the_command_writes_both_schemas_as_valid_json_schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["schema", "--out", "editor/schemas"]) == 0
    said = capsys.readouterr().out
    assert "wrote editor/schemas/flow.schema.json" in said and "$schema=" in said, said
    for name, schema_id, title in ((FLOW_FILE, FLOW_ID, "checkout-tester flow"),
                                   (TARGET_FILE, TARGET_ID, "checkout-tester target config")):
        schema = json.loads((tmp_path / "editor" / "schemas" / name).read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert (schema["$id"], schema["title"]) == (schema_id, title) and schema["description"]
        assert jsonschema.validators.validator_for(schema) is jsonschema.Draft202012Validator
        jsonschema.Draft202012Validator.check_schema(schema)
        assert "x-checkout-tester-def" not in json.dumps(schema)  # every marker became a $ref


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    assert main(["schema", "--out", "taken"]) == 2
    said = capsys.readouterr().err
    assert "cannot write the schemas into taken" in said and "--out" in said, said


@pytest.mark.parametrize("path", [*SHIPPED_FLOWS, *SHIPPED_TARGETS], ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_yaml_names_its_schema_on_its_first_line(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.match(first)
    assert match, f"{path.relative_to(REPO)}:1 should be a yaml-language-server modeline, not {first!r}"
    expected = TARGET_FILE if path.parent.name == "config" else FLOW_FILE
    assert (path.parent / match.group(1)).resolve() == SCHEMAS / expected


@pytest.mark.parametrize("name", [FLOW_FILE, TARGET_FILE])
def test_every_key_has_a_description_for_hover(name: str) -> None:
    schema = json.loads(schema_texts()[name])
    tables = [schema, *(d for d in schema["$defs"].values() if "properties" in d)]
    if name == TARGET_FILE:  # every key of a target config; flows: the top level (step arguments vary)
        missing = [f"{key}" for table in tables for key, value in table["properties"].items()
                   if "description" not in value]
    else:
        missing = [key for key, value in schema["properties"].items() if "description" not in value]
    assert missing == []
