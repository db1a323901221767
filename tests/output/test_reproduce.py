"""A failure's `Reproduce:` line, run verbatim from the same folder, gives the same failure."""
from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.output.helpers import CLI, junit, project

pytestmark = pytest.mark.e2e
VARIANT = "flows/signup.flow.yaml::signup[Janet.Doe@Example.com]"
OPTIONS = ["--target", "config/demo.yaml", "--store-fault=uppercase-email", "--var", "shop_name=Demo Store"]


def _reproduce_line(out: str) -> str:
    # With CI set, pytest's short summary repeats the whole message: the same line may show twice, never two lines.
    lines = list(dict.fromkeys(line.split("Reproduce:", 1)[1].strip() for line in out.splitlines() if "Reproduce:" in line))
    assert len(lines) == 1, out
    return lines[0]


@pytest.mark.parametrize("how", ["cli", "pytest"])
def test_the_printed_line_reproduces_the_failure(tmp_path: Path, how: str) -> None:
    cwd = project(tmp_path)
    start = [str(CLI), "run"] if how == "cli" else [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                                                   "--junitxml=reports/junit.xml"]
    first = subprocess.run(start + [VARIANT, *OPTIONS], cwd=cwd, capture_output=True, text=True, timeout=600)
    out = first.stdout + first.stderr
    assert first.returncode == 1, out
    line = _reproduce_line(out)
    # Exactly the options as given, each once, and paths relative to this folder.
    assert f"'{VARIANT}'" in line and "--target=config/demo.yaml" in line, line
    assert "--store-fault=uppercase-email" in line and "'--var=shop_name=Demo Store'" in line, line
    assert str(tmp_path) not in line, line
    (failed,) = [o for o in junit(cwd).values()]
    assert "unknown email format" in failed.message
    (cwd / "reports" / "junit.xml").unlink()
    again = subprocess.run(shlex.split(line), cwd=cwd, capture_output=True, text=True, timeout=600)
    out = again.stdout + again.stderr
    assert again.returncode == 1, out
    assert failed.message.splitlines()[0] in out and "unknown email format" in out, out  # the same failure
    assert "1 failed" in out, out  # just this one
