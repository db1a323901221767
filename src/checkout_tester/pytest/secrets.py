"""Secrets given on the command line: `--secret NAME=VALUE`, and a `--var` whose name the target lists as secret.

Both reach the target before any flow runs, so every Runner's Redactor masks them from the start; the
`Reproduce:` line shows their names, never their values."""
from __future__ import annotations

import re
from typing import Any

from checkout_tester.base.redaction import MASK
from checkout_tester.target.config import Target

_NAME = re.compile(r"[A-Za-z_]\w*")


def add_option(group: Any) -> None:
    """`--secret NAME=VALUE` (repeatable)."""
    group.addoption("--secret", action="append", default=[], metavar="NAME=VALUE",
                    help="a secret for this run (repeatable): {{ secret.NAME }} takes VALUE, before the environment; "
                         "masked in every report, log and trace, and never printed")


def option_problems(config: Any) -> list[str]:
    """Malformed `--secret` options, one line each; the value is never echoed."""
    problems = []
    for given in config.getoption("--secret"):
        name, sep, _ = given.partition("=")
        if not sep or not _NAME.fullmatch(name):
            shown = f" {name}=..." if sep and len(name) < 40 and "\n" not in name else ""
            problems.append(f"--secret{shown}: write --secret NAME=VALUE with NAME a secret's name "
                            "(letters, digits, _), e.g. --secret SHOP_PASSWORD=... (the value is not shown here)")
    return problems


def apply(config: Any, target: Target) -> Target:
    """Give the target this run's `--secret` values, and mask `--var` values whose names it lists under secrets:."""
    for given in config.getoption("--secret"):
        name, sep, value = given.partition("=")
        if sep and _NAME.fullmatch(name):
            target.give_secret(name, value)
    for var in config.getoption("--var"):
        name, sep, value = var.partition("=")
        if sep and name in target.secrets:
            target.mask(value)
    return target


def reproduce_options(config: Any, target: Target) -> list[str]:
    """The `--secret` and `--var` options for a reproduce line, secret values shown as the mask."""
    parts = [f"--secret={given.partition('=')[0]}={MASK}" for given in config.getoption("--secret")]
    for var in config.getoption("--var"):
        name = var.partition("=")[0]
        parts.append(f"--var={name}={MASK}" if name in target.secrets else f"--var={var}")
    return parts
