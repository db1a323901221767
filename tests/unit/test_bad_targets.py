"""Each broken target config in bad_targets/ fails to load with exactly the lines in its .expected file."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from checkout_tester.base.errors import ConfigError
from checkout_tester.target.config_file import load_target

HERE = Path(__file__).parent
BAD = HERE / "bad_targets"
CASES = sorted(BAD.glob("[0-9][0-9]-*.yaml"))


@pytest.mark.parametrize("target", CASES, ids=[c.stem for c in CASES])
def test_bad_target_message(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)  # messages name the file as given: bad_targets/NN-....yaml
    with pytest.raises(ConfigError) as caught:
        load_target(target.relative_to(HERE))
    message = str(caught.value)
    expected = target.with_suffix(".expected")
    if os.environ.get("UPDATE_EXPECTED"):  # UPDATE_EXPECTED=1 pytest ... rewrites them; review the diff
        expected.write_text(message + "\n", encoding="utf-8")
    assert message == expected.read_text(encoding="utf-8").rstrip("\n")
    for line in caught.value.problems:  # one line each, naming the file and line, then the fix after a ';'
        assert line.startswith(f"bad_targets/{target.name}:") and "; " in line, line


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere.yaml: target config not found; check the path given to --target"):
        load_target(tmp_path / "nowhere.yaml")
    with pytest.raises(ConfigError, match=r"cannot read the target config \(Is a directory\)"):
        load_target(tmp_path)


def test_the_shipped_targets_load_and_know_their_lines() -> None:
    repo = HERE.parents[1]
    example = load_target(repo / "config" / "example.yaml")
    lines = (repo / "config" / "example.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("base_url:"))
    assert example.where("base_url").endswith(f"config/example.yaml:{line}")
    assert load_target(repo / "config" / "demo.yaml").is_demo
