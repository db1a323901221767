"""Per-test unique inputs: `unique: [email]` puts a fresh token into an input at run time.

A persistent store keeps the accounts an earlier run created, so an email that must be new gets a short
random token for every test run (repeats included), placed so the spelling survives:
`Janet.Doe@Example.com` -> `Janet.Doe.k3x9qa@Example.com`, `JANET.DOE@EXAMPLE.COM` -> `JANET.DOE.K3X9QA@...`.
Generated equivalents are rewritten from the unique baseline (capital-local of `janet.doe.k3x9qa@example.com`),
so each spelling creates its own account and the bug class stays visible. Names get a letters-only token as
a middle name (`Zoë Qkzxmv O'Brien`), which every name transformation keeps. Test ids never change: the token
is chosen when a test runs, not when the flow loads.
"""
from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from typing import Any, Mapping

from checkout_tester.flow import equivalents

KINDS = ("email", "name")  # what can be made unique; a postal code or a product never needs to be new
EXAMPLE = "e.g. unique: [email] with variants: {email: [janet.doe@example.com, Janet.Doe@Example.com]}"
_LENGTH = 6  # 36**6 (2e9) emails: no collision on a store that keeps years of CI runs
_SPACES = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


@dataclass(frozen=True)
class Token:
    """One test run's token: `alnum` for emails (k3x9qa), `letters` for names (qkzxmv)."""

    alnum: str
    letters: str


def new_token() -> Token:
    """A fresh random token (the first character a letter, so it reads as a word)."""
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(_LENGTH))
    rest = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(_LENGTH - 1))
    return Token(alnum=secrets.choice(string.ascii_lowercase) + rest, letters=letters)


def _cased(token: str, like: str) -> str:
    """The token in capitals when the text it joins is all capitals, else as it is."""
    letters = [c for c in like if c.isalpha()]
    return token.upper() if letters and all(c.isupper() for c in letters) else token


def unique_email(value: str, token: str) -> str:
    """`janet.doe+shop@example.com` -> `janet.doe.TOKEN+shop@example.com`; spaces and case kept."""
    lead, core, trail = _SPACES.match(value).groups()  # type: ignore[union-attr]
    local, at, domain = core.rpartition("@")
    if not at:  # not an address (a deliberate no-at row): the token still makes it new
        return f"{lead}{core}.{_cased(token, core)}{trail}"
    name, plus, tag = local.partition("+")
    return f"{lead}{name}.{_cased(token, name)}{plus}{tag}@{domain}{trail}"


def unique_name(value: str, token: str) -> str:
    """`Janet Doe` -> `Janet Qkzxmv Doe`: a middle name, so first- and last-name rewrites keep it."""
    lead, core, trail = _SPACES.match(value).groups()  # type: ignore[union-attr]
    first, space, rest = core.partition(" ")
    if core.isupper():
        word = token.upper()
    elif core.islower():
        word = token
    else:
        word = token.capitalize()
    return f"{lead}{first} {word}{space}{rest}{trail}"


def make_unique(kind: str, value: Any, token: Token) -> str:
    """One input with the run's token in it."""
    text = str(value)
    return unique_email(text, token.alnum) if kind == "email" else unique_name(text, token.letters)


def kind_of(name: str, sample: Any, declared: str | None = None) -> str:
    """The kind of a unique input (email or name); ValueError saying how to tell when it can't be guessed."""
    kind = declared
    if kind is None:
        try:
            kind = equivalents.guess_kind(name, str(sample))
        except ValueError:
            kind = ""
    if kind not in KINDS:
        raise ValueError(f"unique works for emails and names, and '{name}' looks like "
                         f"{'a ' + kind.replace('_', ' ') if kind else 'neither'}")
    return kind


def apply(unique: Mapping[str, str], variant: Any, values: dict[str, Any], token: Token) -> dict[str, Any]:
    """`values` with each unique input rewritten for this run; equivalents from the unique baseline."""
    out = dict(values)
    for name, kind in unique.items():
        if name not in out:
            continue
        rewrite = getattr(variant, "rewrite", "")
        if rewrite and getattr(variant, "input", "") == name and out[name] == variant.values.get(name):
            baseline = make_unique(kind, variant.baseline, token)
            out[name] = equivalents.transform(kind, rewrite, baseline)
        else:
            out[name] = make_unique(kind, out[name], token)
    return out
