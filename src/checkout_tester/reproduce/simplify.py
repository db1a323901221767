"""The inputs of a failing run and their simpler or equivalent forms, each change with its explanation.

An input is a string a flow takes from its variant row, the values given on the command line, or its
`params:`; secrets are never among them. Each candidate change rewrites one input one way (lower-case,
trimmed, without the plus tag, ASCII-folded, shorter). Changes of one input compose in a fixed order.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from checkout_tester.base.redaction import Redactor
from checkout_tester.flow import equivalents, templates
from checkout_tester.flow.model import Flow, Variant
from checkout_tester.flow.variables import FakeData, Scope

_SECRET = re.compile(r"\{\{[^}]*\bsecret\b")
_SHORT = 24  # names and texts longer than this get a `shorten` candidate


@dataclass(frozen=True)
class Input:
    """One input of the run: its name, the value as the flow gives it (before any unique token), its kind."""

    name: str
    value: str
    kind: str  # email | name | postal_code | text
    unique: bool = False  # `unique:` in the flow: every run adds a fresh token to it
    origin: str = "variant"  # variant | value | param


@dataclass(frozen=True)
class Kind:
    """One kind of change: its id, what it does to a value (in words), why the store would care."""

    id: str
    done: str  # "the capital letters in {value} are lowered"
    because: str  # "the store treats the {input} case-sensitively"
    rewrite: Callable[[str, str], str]  # (value, input kind) -> value


def _email_local(fn: Callable[[str], str]) -> Callable[[str, str], str]:
    """A rewrite of an email's local part only (other kinds: the whole value)."""
    def rewrite(value: str, kind: str) -> str:
        if kind != "email" or "@" not in value:
            return fn(value)
        local, _, domain = value.rpartition("@")
        return f"{fn(local)}@{domain}"
    return rewrite


def _fold(value: str) -> str:
    """ASCII-folded: Zoë -> Zoe (NFKD, combining marks dropped)."""
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def _drop_middle(value: str, kind: str) -> str:
    words = value.split()
    return f"{words[0]} {words[-1]}" if kind == "name" and len(words) > 2 else value


def _shorten(value: str, kind: str) -> str:
    if kind == "email":  # the local part's first word: janet.doe+shop -> janet
        return _email_local(lambda local: re.split(r"[._+-]", local)[0] or local)(value, kind)
    if kind == "postal_code" or len(value) <= _SHORT:
        return value
    return value[:_SHORT].rsplit(" ", 1)[0] if " " in value[:_SHORT] else value[:_SHORT]


# Composition order: what a store does first to an input (trim, fold) comes first; case last.
KINDS: tuple[Kind, ...] = (
    Kind("trim", "the spaces around {value} are trimmed", "the store does not trim the {input}",
         lambda v, k: v.strip()),
    Kind("collapse-spaces", "the doubled spaces inside {value} are made single",
         "the store does not tidy the spaces inside the {input}", lambda v, k: re.sub(r"(?<=\S)\s{2,}(?=\S)", " ", v)),
    Kind("ascii-fold", "the accented letters in {value} are folded to plain ASCII",
         "the store mishandles letters outside ASCII in the {input}", lambda v, k: _fold(v)),
    Kind("no-plus-tag", "the plus tag is removed from {value}", "the store refuses plus-addressing",
         lambda v, k: _email_local(lambda local: local.partition("+")[0] or local)(v, k) if k == "email" else v),
    Kind("no-punctuation", "the apostrophes and hyphens in {value} are removed",
         "the store mishandles punctuation in the {input}",
         lambda v, k: re.sub(r"['’-]", "", v) if k == "name" else v),
    Kind("drop-middle", "the middle name is dropped from {value}", "the store mishandles names of more than two words",
         _drop_middle),
    Kind("shorten", "{value} is shortened", "the store limits the length of the {input}", _shorten),
    Kind("no-dots", "the dots in the local part of {value} are removed", "the store mishandles dots in the address",
         lambda v, k: _email_local(lambda local: local.replace(".", ""))(v, k) if k == "email" else v),
    Kind("lower-case", "the capital letters in {value} are lowered", "the store treats the {input} case-sensitively",
         lambda v, k: v.lower()),
)
BY_ID = {kind.id: kind for kind in KINDS}


@dataclass(frozen=True)
class Change:
    """One candidate change: one input rewritten one way; `after` is the value with this change alone."""

    input: str
    kind: str  # a KINDS id
    before: str
    after: str

    def as_json(self) -> dict[str, str]:
        """The change as data (values as the flow gives them; secrets are never inputs)."""
        return {"input": self.input, "kind": self.kind, "before": self.before, "after": self.after}


def candidates(item: Input) -> list[Change]:
    """The changes that alter this input, in composition order."""
    out = []
    for kind in KINDS:
        after = kind.rewrite(item.value, item.kind)
        if after != item.value and after.strip():
            out.append(Change(item.name, kind.id, item.value, after))
    return out


def apply(item: Input, changes: list[Change]) -> str:
    """The input with these of its changes applied, in composition order."""
    value, wanted = item.value, {c.kind for c in changes if c.input == item.name}
    for kind in KINDS:
        if kind.id in wanted:
            value = kind.rewrite(value, item.kind) or value
    return value


def _kind_of(name: str, value: str) -> str:
    try:
        return equivalents.guess_kind(name, value)
    except ValueError:
        return "text"


def inputs(flow: Flow, variant: Variant, values: Mapping[str, Any], redactor: Redactor,
           secret: Callable[[str], str | None], target_vars: Mapping[str, Any]) -> list[Input]:
    """The string inputs a run takes that can be varied: variant row, given values, params (rendered once).

    Secrets are skipped: a value read from `secret.*`, or equal to a known secret (the redactor masks it).
    A param made by a template (`{{ fake.email }}`) is rendered once, so every try types the same value.
    """
    scope = Scope({}, secret, target_vars, Redactor(), FakeData())
    found: dict[str, Input] = {}
    raw: list[tuple[str, Any, str]] = [(n, v, "param") for n, v in flow.params.items()]
    raw += [(n, v, "variant") for n, v in variant.values.items()] + [(n, v, "value") for n, v in values.items()]
    for name, value, origin in raw:
        found.pop(name, None)  # the later source wins, as Runner._scope does
        if name in flow.vars or not isinstance(value, str) or _SECRET.search(value):
            continue  # vars are rendered after the inputs: a value given for one would not reach the flow
        if templates.is_template(value):
            try:
                value = str(scope.render(value))
            except Exception:  # noqa: BLE001  a template needing run-time values: not an input to vary
                continue
        if not value.strip() or redactor(value) != value:
            continue
        found[name] = Input(name, value, _kind_of(name, value), name in flow.unique, origin)
    return list(found.values())


def describe(item: Input, changes: list[Change], shown: Callable[[str], str]) -> tuple[str, list[str]]:
    """"the capital letters in `X` are lowered (`x`)" and the reasons, for the changes of one input."""
    kinds = [BY_ID[c.kind] for c in sorted(changes, key=lambda c: [k.id for k in KINDS].index(c.kind))]
    value = f"`{shown(item.value)}`"
    done = [k.done.format(value=value if i == 0 else "it") for i, k in enumerate(kinds)]
    label = item.name.replace("_", " ")
    text = " and ".join(done)
    text += f" (`{shown(apply(item, changes))}`)"
    return text, [k.because.format(input=label) for k in kinds]
