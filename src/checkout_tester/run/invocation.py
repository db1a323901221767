"""How the user started this run, written so that it works again verbatim from the same folder."""
from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def as_typed(path: str) -> str:
    """A program path as one would type it here: its bare name when PATH finds that same file, else relative."""
    found = shutil.which(Path(path).name)
    # Not resolve(): a virtualenv's python is a symlink to the system's, which lacks the venv's packages.
    if found and os.path.abspath(found) == os.path.abspath(path):
        return Path(path).name
    return path if not Path(path).is_absolute() else os.path.relpath(path)


def python_module(module: str) -> str:
    """`python -m module` with this interpreter."""
    return shlex.join([as_typed(sys.executable), "-m", module])


def cli_command() -> str:
    """`checkout-tester run` as this process was started (the console script or `python -m`)."""
    program = sys.argv[0] if sys.argv and sys.argv[0] else "checkout-tester"
    if program.endswith(".py"):  # python -m checkout_tester.cli.main
        return python_module("checkout_tester.cli.main") + " run"
    return shlex.join([as_typed(program), "run"])


def pytest_command() -> str:
    """pytest as this process was started (`pytest`, `.venv/bin/pytest`, `python -m pytest`)."""
    program = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if not program or program.endswith(".py") or Path(program).name not in ("pytest", "py.test"):
        return python_module("pytest")  # python -m pytest, or pytest.main() called from another program
    return shlex.quote(as_typed(program))
