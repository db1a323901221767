"""What changed when an element is gone: rank what the page shows against the locator that found nothing.

Pure (no browser): the page is read once by run/candidate_page.py into `Seen` elements; this module scores
them against the flow's locator and words the result, each candidate with the YAML locator that finds it.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import yaml

THRESHOLD = 0.66  # below this an element is noise, not "the same thing, changed"
SHOWN = 4
# Roles a page may swap for one another without the shopper noticing (a button that became a link).
RELATED = [{"button", "link", "menuitem", "tab"}, {"textbox", "searchbox", "combobox", "spinbutton"},
           {"checkbox", "switch", "radio", "menuitemcheckbox"}, {"heading", "banner"}, {"listbox", "combobox"}]
BY_POSITION = "by position: nothing else tells it apart"
TEXT_KINDS = ("label", "placeholder", "text", "title", "alt")


@dataclass(frozen=True)
class Seen:
    """One element as the page showed it at failure time (role and name as a screen reader would say them)."""

    tag: str
    role: str = ""
    name: str = ""
    label: str = ""
    placeholder: str = ""
    text: str = ""
    title: str = ""
    alt: str = ""
    testids: dict[str, str] = field(default_factory=dict)  # attribute -> value (data-testid, data-test ...)
    frame: str = ""  # the title of the same-origin iframe it is in, when not in the step's own page or frame

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Seen:
        """From what the page script returned (unknown keys ignored, values as strings)."""
        known = {k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__ and k != "testids" and v}
        return cls(**known, testids={str(k): str(v) for k, v in (data.get("testids") or {}).items()})

    def words(self) -> str:
        """How a candidate reads in the message: `button "Add to basket"`."""
        shown = self.name or self.label or self.text or self.placeholder or self.title or self.alt
        what = self.role or self.tag
        return f'{what} "{_cut(shown)}"' if shown else what


@dataclass(frozen=True)
class Candidate:
    """An element like the one wanted, the locator that finds it, and why it is alike."""

    seen: Seen
    spec: dict[str, Any]
    score: float
    why: str
    order: int = 0

    @property
    def locator(self) -> str:
        """The spec as a YAML flow mapping, as a flow would write it."""
        return yaml_locator(self.spec)


def yaml_locator(spec: dict[str, Any]) -> str:
    """`{role: button, name: Add to basket}`: quoted where YAML needs it."""
    return str(yaml.safe_dump(spec, default_flow_style=True, sort_keys=False, width=10_000,
                              allow_unicode=True)).strip()


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _cut(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def similarity(wanted: str, seen: str) -> tuple[float, str]:
    """How alike two names or texts are (0..1), and how they differ in words."""
    a, b = _norm(wanted), _norm(seen)
    if not a or not b:
        return 0.0, ""
    if a == b:
        return (1.0, "same") if " ".join(wanted.split()) == " ".join(seen.split()) else (0.97, "differs by case")
    words_a, words_b = re.findall(r"\w+", a), re.findall(r"\w+", b)
    shared = sum((Counter(words_a) & Counter(words_b)).values())
    longest = max(len(words_a), len(words_b))
    by_words, why = 0.0, ""
    if longest >= 2 and shared:
        by_words = 0.5 + 0.4 * shared / longest
        why = _word_change(len(words_a), len(words_b), shared)
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio() * 0.95  # typos: "Add to crat"
    return max(ratio, by_words), why or "spelled alike"


def _word_change(wanted: int, seen: int, shared: int) -> str:
    """How the words of two names differ: "one word changed", "a word added" ..."""
    if shared == wanted == seen:
        return "punctuation differs"
    if wanted == seen:
        return "one word changed" if seen - shared == 1 else f"{seen - shared} words changed"
    if shared == wanted:
        return "a word added" if seen - shared == 1 else "words added"
    if shared == seen:
        return "a word left out" if wanted - shared == 1 else "words left out"
    return "words changed"


def _related(wanted: str, seen: str) -> bool:
    return any(wanted in group and seen in group for group in RELATED)


def _texts(seen: Seen) -> list[tuple[str, str]]:
    """The element's user-facing handles other than role and name: (kind, value)."""
    return [(kind, getattr(seen, kind)) for kind in TEXT_KINDS if getattr(seen, kind)]


def _proposals(wanted: dict[str, Any], seen: Seen, testid_attribute: str) -> list[tuple[float, dict[str, Any], str]]:
    """Every way this element could be what the locator meant, scored."""
    kind = next(k for k in ("role", *TEXT_KINDS, "testid", "css") if wanted.get(k) is not None)
    value = str(wanted[kind])
    found: list[tuple[float, dict[str, Any], str]] = []
    if kind == "role":
        name = wanted.get("name")
        if seen.role and name is not None and seen.name:
            score, why = similarity(str(name), seen.name)
            factor = 1.0 if seen.role == value else 0.72  # the same role first, then the same name
            if factor < 1:
                why = f"{'same name' if score >= 0.97 else why}, {seen.role} not {value}"
            found.append((score * factor, {"role": seen.role, "name": seen.name}, why))
        elif name is None and seen.role != value and _related(value, seen.role):
            found.append((0.7, {"role": seen.role}, f"{seen.role} not {value}"))
        for other, text in _texts(seen) if name is not None and not seen.role else []:  # e.g. a div, no longer a button
            score, why = similarity(str(name), text)
            found.append((score * 0.8, {other: text}, f"{other} {why}, not a {value}"))
    elif kind in TEXT_KINDS:
        for other, text in _texts(seen):
            if kind == "label" and seen.tag == "label":
                continue  # the <label> itself: its field is the candidate
            score, why = similarity(value, text)
            found.append((score * (1.0 if other == kind else 0.85),
                          {other: text}, why if other == kind else f"{why} {other}, not {kind}"))
        if seen.role and seen.name:
            score, why = similarity(value, seen.name)
            found.append((score * 0.8, {"role": seen.role, "name": seen.name}, f"{seen.role} named alike"))
    elif kind == "testid":
        for attribute, text in seen.testids.items():
            score, why = similarity(value, text)
            if attribute == testid_attribute:
                found.append((score, {"testid": text}, why))
            elif score >= 0.97:
                found.append((0.95, {"css": f'[{attribute}="{text}"]'},
                              f"in {attribute}, not {testid_attribute} (or set testid_attribute: {attribute})"))
            else:
                found.append((score * 0.8, {"css": f'[{attribute}="{text}"]'}, f"{why}, in {attribute}"))
    return found


def rank(wanted: dict[str, Any], seen: list[Seen], testid_attribute: str = "data-testid",
         limit: int = SHOWN * 2) -> list[Candidate]:
    """The elements most like the wanted locator (its innermost part), best first, one proposal each."""
    if wanted.get("css") is not None:
        return []  # a CSS selector has no words to compare
    best: dict[str, Candidate] = {}
    for order, element in enumerate(seen):
        proposals = [p for p in _proposals(wanted, element, testid_attribute) if p[0] >= THRESHOLD]
        if not proposals:
            continue
        score, spec, why = max(proposals, key=lambda p: p[0])
        if element.frame:
            score, why = score * 0.95, f"{why}, in an iframe"  # the step's own page first, on a tie
        candidate = Candidate(element, spec, round(score, 3), why, order)
        key = f"{candidate.locator} {element.frame}"
        if key not in best or best[key].score < candidate.score:
            best[key] = candidate
    return sorted(best.values(), key=lambda c: (-c.score, c.order))[:limit]


@dataclass(frozen=True)
class Match:
    """One of several elements a locator matched: its own words and the box around it that holds no other."""

    name: str = ""
    text: str = ""
    box: dict[str, Any] | None = None  # the locator of the widest ancestor holding only this match
    box_lines: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Match:
        """From what the page script returned."""
        return cls(str(data.get("name") or ""), str(data.get("text") or ""), data.get("box") or None,
                   tuple(str(line) for line in data.get("lines") or ()))


def _unique(value: str, others: list[str]) -> bool:
    """True when no other text contains it (has_text and names match any case, anywhere in the text)."""
    folded = _norm(value)
    return bool(folded) and not any(folded in _norm(other) for other in others)


def pick_each(wanted: dict[str, Any], matches: list[Match]) -> list[tuple[dict[str, Any], str]]:
    """For each match, a locator that picks it alone (by name, has_text, within a box, else nth) and why."""
    picks: list[tuple[dict[str, Any], str]] = []
    base = {k: v for k, v in wanted.items() if k not in ("nth",)}
    for i, match in enumerate(matches):
        others = [m for j, m in enumerate(matches) if j != i]
        if base.get("role") and match.name and _unique(match.name, [m.name for m in others]):
            picks.append(({**base, "name": match.name}, f'its name "{_cut(match.name)}"'))
            continue
        if match.text and "has_text" not in base and _unique(match.text, [m.text for m in others]):
            picks.append(({**base, "has_text": _cut(match.text, 80)}, f'its text "{_cut(match.text)}"'))
            continue
        line = next((line for line in match.box_lines if len(line) > 1
                     and _unique(line, [" ".join(m.box_lines) for m in others])), "")
        if match.box and line:
            box = {**match.box, "has_text": line}
            if base.get("within") is not None:
                box["within"] = base["within"]
            picks.append(({**{k: v for k, v in base.items() if k != "within"}, "within": box}, f'in "{_cut(line)}"'))
            continue
        picks.append(({**base, "nth": i}, BY_POSITION))
    return picks
