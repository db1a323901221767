"""Equivalent-input variants: from one baseline input, the spellings a store must accept just the same.

A flow declares `variants: {email: {equivalents: janet.doe@example.com, expect_refused: [inner-space]}}`;
each transformation below becomes its own test (`signup[email=capital-local]`). Transformations that are
not equivalents (an inner space) are only generated when the flow lists them under `expect_refused`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KINDS = ("email", "name", "postal_code")
BASELINE = "baseline"
EXAMPLE = "e.g. variants: {email: {equivalents: janet.doe@example.com, expect_refused: [inner-space]}}"


@dataclass(frozen=True)
class Transformation:
    """One way to rewrite an input: a short id, what it changes in words, and the rewrite."""

    id: str
    description: str
    apply: Callable[[str], str]
    equivalent: bool = True  # False: a different input, generated only when expected to be refused


def _email_parts(value: str) -> tuple[str, str]:
    local, _, domain = value.strip().rpartition("@")
    if not local or "." not in domain:
        raise ValueError(f"'{value}' is not an email address like janet.doe@example.com")
    return local, domain


def _capitalise_words(text: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: m.group(0)[0].upper() + m.group(0)[1:], text)


def _email(fn: Callable[[str, str], str]) -> Callable[[str], str]:
    return lambda value: fn(*_email_parts(value))


EMAIL: tuple[Transformation, ...] = (
    Transformation("capital-local", "capital letters in the local part", _email(lambda l, d: f"{_capitalise_words(l)}@{d}")),
    Transformation("all-capitals", "the whole address in capital letters", _email(lambda l, d: f"{l}@{d}".upper())),
    Transformation("capital-domain", "capital letters in the domain",
                   _email(lambda l, d: f"{l}@{_capitalise_words(d.rpartition('.')[0])}.{d.rpartition('.')[2]}")),
    Transformation("surrounding-spaces", "spaces before and after the address", lambda v: f"  {v.strip()} "),
    Transformation("plus-address", "plus-addressing (+tag in the local part)", _email(lambda l, d: f"{l}+shop@{d}")),
    Transformation("subdomain", "a subdomain in the domain", _email(lambda l, d: f"{l}@mail.{d}")),
    Transformation("long-tld", "a long top-level domain",
                   _email(lambda l, d: f"{l}@{d.rpartition('.')[0]}.photography")),
    Transformation("inner-space", "a space inside the address", _email(lambda l, d: f"{l[:len(l) // 2]} {l[len(l) // 2:]}@{d}"), False),
    Transformation("no-at", "no @ sign", _email(lambda l, d: f"{l}{d}"), False),
)


def _split_name(value: str) -> tuple[str, str, str]:
    """First name, middle names (each followed by a space, or ''), last name; middle names survive rewrites."""
    words = value.split()
    if not words:
        return "", "", ""
    middle = "".join(f"{w} " for w in words[1:-1])
    return words[0], middle, words[-1]


NAME: tuple[Transformation, ...] = (
    Transformation("accented", "accented letters (Zoë)", lambda v: "Zoë {1}{2}".format(*_split_name(v))),
    Transformation("apostrophe", "an apostrophe (O'Brien)", lambda v: "{0} {1}O'Brien".format(*_split_name(v))),
    Transformation("accented-apostrophe", "accents and an apostrophe (Zoë O'Brien)",
                   lambda v: "Zoë {1}O'Brien".format(*_split_name(v))),
    Transformation("hyphenated", "a hyphenated surname", lambda v: "{0} {1}{2}-Smith".format(*_split_name(v))),
    Transformation("long", "a long name (over 60 characters)",
                   lambda v: "{0} {1}Alexandra {2} Wolfeschlegelsteinhausen-Bergerdorff".format(*_split_name(v))),
    Transformation("surrounding-spaces", "spaces before and after the name", lambda v: f"  {v.strip()} "),
)


def _with_space(value: str) -> str:
    # Only codes with letters (UK, Canada) take a space before the last three; 62704 stays as it is.
    compact = value.replace(" ", "")
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 and re.search("[A-Za-z]", compact) else value


POSTAL_CODE: tuple[Transformation, ...] = (
    Transformation("no-space", "the postal code without its space", lambda v: v.replace(" ", "")),
    Transformation("with-space", "a space before the last three characters", _with_space),
    Transformation("lower-case", "the postal code in lower case", lambda v: v.lower()),
    Transformation("surrounding-spaces", "spaces before and after the postal code", lambda v: f" {v.strip()} "),
)
CATALOG: dict[str, tuple[Transformation, ...]] = {"email": EMAIL, "name": NAME, "postal_code": POSTAL_CODE}


def guess_kind(input_name: str, value: str) -> str:
    """The kind of an input from its name or value: email, name or postal_code."""
    lowered = input_name.lower()
    if "email" in lowered or "@" in value:
        return "email"
    if any(word in lowered for word in ("postal", "postcode", "post_code", "zip")):
        return "postal_code"
    if "name" in lowered:
        return "name"
    raise ValueError(f"can't tell what kind of input '{input_name}' is; add kind: {' | '.join(KINDS)}")


@dataclass(frozen=True)
class Generated:
    """One generated input: the transformation's id, what it changed, the value, refusal expected."""

    id: str
    description: str
    value: str
    expect_refused: bool = False


def generate(kind: str, baseline: str, expect_refused: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> list[Generated]:
    """The baseline and every transformation of it that changes it; the first entry is the baseline."""
    if kind not in CATALOG:
        raise ValueError(f"unknown kind '{kind}'; the kinds are: {', '.join(KINDS)}")
    catalog = {t.id: t for t in CATALOG[kind]}
    unknown = [name for name in (*expect_refused, *skip) if name not in catalog]
    if unknown:
        raise ValueError(f"unknown {kind} transformation '{unknown[0]}'; the {kind} transformations are: "
                         f"{', '.join(catalog)}")
    rows = [Generated(BASELINE, "the input as written", baseline)]
    seen = {baseline}
    for t in CATALOG[kind]:
        if t.id in skip or not (t.equivalent or t.id in expect_refused):
            continue
        value = t.apply(baseline)
        if value in seen:  # e.g. capital-local of an address that is already capitalised
            continue
        seen.add(value)
        rows.append(Generated(t.id, t.description, value, t.id in expect_refused))
    return rows


def transform(kind: str, transformation: str, value: str) -> str:
    """Apply one named transformation of a kind to `value` (unique.py rewrites a unique baseline so)."""
    return next(t for t in CATALOG[kind] if t.id == transformation).apply(value)


def explain(kind: str) -> str:
    """A one-line list of a kind's transformations, for hints and docs."""
    return ", ".join(f"{t.id}" + ("" if t.equivalent else " (refused)") for t in CATALOG[kind])


def declares(raw: Any) -> bool:
    """True when a flow's `variants:` mapping declares equivalents rather than lists of values."""
    return isinstance(raw, dict) and any(isinstance(v, dict) for v in raw.values())


def spec_schema() -> dict[str, Any]:
    """JSON Schema of one `variants: {INPUT: {equivalents: ...}}` entry."""
    names = {"type": "array", "items": {"type": "string"}}
    return {"type": "object", "required": ["equivalents"], "additionalProperties": False,
            "description": "Generate the spellings of this input a store must accept (one test each)",
            "properties": {"equivalents": {"type": "string", "description": "the baseline input"},
                           "kind": {"enum": list(KINDS)}, "expect_refused": names, "skip": names}}


def build_variants(raw: dict[str, Any]) -> tuple[list[Any], list[tuple[tuple[Any, ...], str]]]:
    """The variant rows of a `variants:` mapping of equivalents, and its problems (path, message).

    The first row is the baseline; each input's transformations follow, the other inputs at baseline.
    """
    from checkout_tester.flow.model import Variant

    problems: list[tuple[tuple[Any, ...], str]] = []
    specs: dict[str, list[Generated]] = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("equivalents"), str):
            problems.append(((name,), f"variants.{name} must be {{equivalents: <baseline input>}} when another "
                             "input declares equivalents, e.g. email: {equivalents: janet.doe@example.com}"))
            continue
        unknown = sorted(set(spec) - {"equivalents", "kind", "expect_refused", "skip"})
        if unknown:
            problems.append(((name, unknown[0]), f"unknown key '{unknown[0]}' in variants.{name}; it takes: "
                             "equivalents, kind, expect_refused, skip"))
            continue
        try:
            kind = spec.get("kind") or guess_kind(name, spec["equivalents"])
            specs[name] = generate(kind, spec["equivalents"], _names(spec, "expect_refused"), _names(spec, "skip"))
        except ValueError as exc:
            problems.append(((name,), f"variants.{name}: {exc}"))
    if problems:
        return [], problems
    baseline = {name: rows[0].value for name, rows in specs.items()}
    variants = [Variant(id=f"{next(iter(specs))}={BASELINE}", values=baseline, input=next(iter(specs)))]
    for name, rows in specs.items():
        for row in rows[1:]:
            variants.append(Variant(id=f"{name}={row.id}", values={**baseline, name: row.value}, input=name,
                                    transformation=row.description, expect_refused=row.expect_refused,
                                    rewrite=row.id, baseline=baseline[name]))
    return variants, []


def _names(spec: dict[str, Any], key: str) -> tuple[str, ...]:
    value = spec.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of transformation names, e.g. {key}: [inner-space]")
    return tuple(value)
