"""What `--isolate` found, as data (bundle.json) and as a Markdown paragraph (BUG.md)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checkout_tester.reproduce import simplify
from checkout_tester.reproduce.simplify import Change, Input

MAX_RUNS = 24  # about a minute of signups on a loaded machine; a search that needs more is not worth the wait
PASSED, FAILED, INCONCLUSIVE = "passed", "failed", "inconclusive"


@dataclass(frozen=True)
class Try:
    """One run of the search: the changes applied, the values typed (before any unique token), the outcome."""

    number: int
    changes: tuple[str, ...]  # "email: lower-case"
    values: dict[str, str]
    outcome: str  # passed | failed (the reported class) | inconclusive (another class)
    failure_class: str = ""

    def as_json(self) -> dict[str, Any]:
        """The try as data."""
        return {"run": self.number, "changes": list(self.changes), "values": self.values,
                "outcome": self.outcome, "failure_class": self.failure_class}


@dataclass
class Isolation:
    """What the search found: the verdict, the smallest passing change, which inputs do not matter, the runs."""

    flow: str
    variant: str
    verdict: str  # isolated | independent | inconclusive | passes | nothing-to-vary
    failure_class: str = ""
    inputs: list[Input] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # the smallest change set that makes the flow pass
    irrelevant: list[str] = field(default_factory=list)  # inputs the flow passes with, unchanged
    runs: int = 0
    max_runs: int = MAX_RUNS
    capped: bool = False
    candidates: int = 0
    tries: list[Try] = field(default_factory=list)
    text: str = ""  # a Markdown paragraph for BUG.md

    def as_json(self) -> dict[str, Any]:
        """The result as data, for bundle.json."""
        return {"flow": self.flow, "variant": self.variant, "verdict": self.verdict,
                "failure_class": self.failure_class, "runs": self.runs, "max_runs": self.max_runs,
                "capped": self.capped, "candidates": self.candidates,
                "inputs": [{"name": i.name, "value": i.value, "kind": i.kind, "unique": i.unique,
                            "origin": i.origin} for i in self.inputs],
                "changes": [c.as_json() for c in self.changes], "irrelevant": self.irrelevant,
                "tries": [t.as_json() for t in self.tries], "text": self.text}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _names(names: list[str]) -> str:
    """`the name`, `the name and the city`."""
    words = [f"the {n.replace('_', ' ')}" for n in names]
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def _found(result: Isolation) -> str:
    """The smallest change in words, and which inputs do not matter."""
    by_name = {i.name: i for i in result.inputs}
    clauses, reasons = [], []
    for name in dict.fromkeys(c.input for c in result.changes):
        clause, why = simplify.describe(by_name[name], [c for c in result.changes if c.input == name], str)
        clauses.append(clause)
        reasons += why
    text = "the flow passes once " + "; and once ".join(clauses) + "; " + "; ".join(dict.fromkeys(reasons)) + "."
    unchanged = [n for n in result.irrelevant if n in by_name]
    if len(unchanged) == 1:
        text += (f" {_names(unchanged).capitalize()} does not matter: the flow passes with "
                 f"`{by_name[unchanged[0]].value}` as it is.")
    elif unchanged:
        text += f" {_names(unchanged).capitalize()} do not matter: the flow passes with them as they are."
    return text


def _simplest(result: Isolation) -> str:
    """Every input in its simplest form: email `Janet@X.com` -> `janet@x.com`."""
    forms = []
    for item in result.inputs:
        changes = simplify.candidates(item)
        if changes:
            forms.append(f"{item.name.replace('_', ' ')} `{item.value}` → `{simplify.apply(item, changes)}`")
    return ", ".join(forms)


def paragraph(result: Isolation) -> str:
    """The Markdown paragraph for BUG.md (the caller masks secrets through the run's redactor)."""
    head = "**Smallest failing input** (`--isolate`): "
    if result.verdict == "passes":
        body = ("the flow passed with the inputs as reported, so there was nothing to isolate: the failure did "
                "not happen again (it may be intermittent).")
    elif result.verdict == "nothing-to-vary":
        body = ("the flow takes no inputs that can be varied (secrets never are), so no change of the inputs can "
                "make it pass: the failure does not depend on them." if not result.inputs else
                f"none of the inputs ({', '.join(f'`{i.value}`' for i in result.inputs)}) has a simpler or "
                "equivalent form to try, so the failure could not be narrowed down to one of them.")
    elif result.verdict == "independent":
        body = ("no change of the inputs makes the flow pass: the failure does not depend on them. With every "
                f"input in its simplest form at once ({_simplest(result)}) it still fails as reported "
                f"({result.failure_class}).")
    elif result.verdict == "isolated":
        body = _found(result)
    else:
        odd = [t for t in result.tries if t.outcome == INCONCLUSIVE]
        body = "no change tried made the flow pass"
        if odd:
            body += (f", and {_plural(len(odd), 'run')} failed another way "
                     f"({', '.join(sorted({t.failure_class for t in odd}))}) rather than as reported "
                     f"({result.failure_class})")
        body += ", so it is not certain whether the failure depends on the inputs."
    tail = (f" Searched in {_plural(result.runs, 'run')} of the flow, each in a fresh browser context "
            f"(delta debugging over {_plural(result.candidates, 'candidate change')} of "
            f"{_plural(len(result.inputs), 'input')}).")
    if result.capped:
        tail += f" The search stopped at its cap of {result.max_runs} runs" + (
            "; the change above is the smallest found so far and may not be minimal." if result.changes else ".")
    unique = [i.name for i in result.inputs if i.unique]
    if unique:
        tail += (f" Every run gave {_names(unique)} a fresh token (`unique:`); the values shown are without it.")
    return head + body + tail
