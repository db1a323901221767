"""Each broken flow in bad_flows/ fails to load with exactly the message in its .expected file."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from checkout_tester.base.errors import FlowError
from checkout_tester.flow.loader import clear_cache, load_flow, validate_paths

HERE = Path(__file__).parent
REPO = HERE.parents[1]
BAD = HERE / "bad_flows"
CASES = sorted(BAD.glob("[0-9][0-9]-*.flow.yaml"))


def _expected_path(flow: Path) -> Path:
    return flow.with_name(flow.name.removesuffix(".flow.yaml") + ".expected")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def test_there_are_enough_cases_and_each_has_its_message() -> None:
    assert len(CASES) >= 15
    expected = sorted(BAD.glob("*.expected"))
    assert [_expected_path(c) for c in CASES] == expected


@pytest.mark.parametrize("flow", CASES, ids=[c.name.removesuffix(".flow.yaml") for c in CASES])
def test_bad_flow_message(flow: Path) -> None:
    with pytest.raises(FlowError) as caught:
        load_flow(flow, root=REPO)
    message = str(caught.value)
    expected = _expected_path(flow)
    if os.environ.get("UPDATE_EXPECTED"):  # UPDATE_EXPECTED=1 pytest ... rewrites them; review the diff
        expected.write_text(message + "\n", encoding="utf-8")
    assert message == expected.read_text(encoding="utf-8").rstrip("\n")


@pytest.mark.parametrize("flow", CASES, ids=[c.name.removesuffix(".flow.yaml") for c in CASES])
def test_bad_flow_names_its_file_and_line(flow: Path) -> None:
    with pytest.raises(FlowError) as caught:
        load_flow(flow, root=REPO)
    error = caught.value
    assert error.source is not None and error.source.line >= 1
    assert error.source.file.startswith("tests/unit/bad_flows/")


@pytest.mark.parametrize("flow", CASES, ids=[c.name.removesuffix(".flow.yaml") for c in CASES])
def test_validate_reports_the_same_first_error(flow: Path) -> None:
    errors = validate_paths([flow], root=REPO)
    assert str(errors[0]) == _expected_path(flow).read_text(encoding="utf-8").rstrip("\n")


def test_validate_a_whole_folder_collects_every_file() -> None:
    errors = validate_paths([BAD], root=REPO)
    files = {e.source.file for e in errors if e.source}
    # Every numbered case fails, except 13 whose error lives in the sub-flow it includes.
    assert len(files) >= len(CASES) - 1
    assert len({str(e) for e in errors}) == len(errors)  # a broken sub-flow is reported once
