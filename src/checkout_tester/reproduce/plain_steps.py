"""The flow's steps in plain language, one sentence per step, as a developer would follow them by hand."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from checkout_tester.base.errors import CheckoutTesterError
from checkout_tester.flow.model import Flow, Step
from checkout_tester.flow.step_arguments import Element
from checkout_tester.flow.variables import Scope

_DOUBLED = re.compile(r"([.!?:])\.$")


@dataclass(frozen=True)
class PlainStep:
    """One step in words: its number as the run numbers it, the sentence, its YAML place, its depth."""

    place: str
    text: str
    source: str
    depth: int

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"step": self.place, "text": self.text, "source": self.source}


def plain_steps(flow: Flow, scope: Scope | None) -> list[PlainStep]:
    """Every step of the flow (sub-flows, frames and popups expanded, `finally:` last), numbered as the run does."""
    out: list[PlainStep] = []
    _walk(flow.steps, scope, "", 0, out)
    _walk(flow.finally_steps, scope, "", 0, out, start=len(flow.steps) + 1)  # numbered on, as the engine does
    return out


def _walk(steps: Iterable[Step], scope: Scope | None, parent: str, depth: int, out: list[PlainStep],
          start: int = 1) -> None:
    for number, step in enumerate(steps, start):
        place = f"{parent}.{number}" if parent else str(number)
        args = _rendered(step, scope)
        out.append(PlainStep(place, _sentence(step.kind, args, scope), str(step.source), depth))
        if step.kind == "use" and step.subflow is not None:
            _walk(step.subflow.steps, _child(step, args, scope), place, depth + 1, out)
            continue
        first = 1
        if step.trigger is not None:  # popup, dialog: the step that opens the window is their step .1
            _walk((step.trigger,), scope, place, depth + 1, out)
            first = 2
        _walk(step.children, scope, place, depth + 1, out, start=first)


def _rendered(step: Step, scope: Scope | None) -> Any:
    """The step's arguments with the run's values filled in (secrets masked later); a value the run never had
    (saved by a step it did not reach) stays as written."""
    if scope is None:
        return step.args
    data = step.args.model_dump(by_alias=True, exclude_none=True, exclude={"steps", "open"})
    rendered: dict[str, Any] = {}
    for key, value in data.items():
        try:
            rendered[key] = scope.render(value)
        except (CheckoutTesterError, ValueError):
            rendered[key] = value
    for key in {"steps", "open"} & set(type(step.args).model_fields):
        rendered[key] = getattr(step.args, key)
    try:
        return type(step.args).model_validate(rendered)
    except ValueError:
        return step.args


def _child(step: Step, args: Any, scope: Scope | None) -> Scope | None:
    """The sub-flow's scope as the `use` step builds it: the caller's values, its params, `with:`, its vars."""
    sub = step.subflow
    if scope is None or sub is None:
        return scope
    try:
        values = {**scope.values, **{k: scope.render(v) for k, v in sub.params.items() if k not in args.with_}}
        values.update(args.with_)
        child = scope.child(values)
        for name, value in sub.vars.items():
            child.values[name] = child.render(value)
        return child
    except (CheckoutTesterError, ValueError):
        return scope


def element(spec: Element | None) -> str:
    """A locator as a shopper would name it: `the button Create account`, `Email`, `the element with test id x`."""
    if spec is None:
        return "the focused element"
    kind = spec.locator_kind
    value = getattr(spec, kind)
    text = {
        "role": f"the {value} {spec.name}" if spec.name else f"the {value}",
        "label": f"{value}",
        "placeholder": f"the field with placeholder {value}",
        "text": f"{value}",
        "testid": f"the element with test id {value}",
        "title": f"the element titled {value}",
        "alt": f"the image {value}",
        "css": f"the element matching `{value}`",
    }[kind]
    if spec.has_text is not None:
        text += f" showing {spec.has_text}"
    if spec.nth is not None:
        text += " (the last one)" if spec.nth == -1 else f" (match {spec.nth + 1})"
    if spec.within is not None:
        text += f" inside {element(spec.within)}"
    return text


def _wait(args: Any) -> str:
    if args.visible is not None:
        return f"Wait until {element(args.visible)} is visible."
    if args.hidden is not None:
        return f"Wait until {element(args.hidden)} is hidden."
    if args.url is not None:
        return f"Wait until the address is {args.url}."
    if args.text is not None:
        return f"Wait until the page shows {args.text}."
    return f"Wait until the page has reached {args.load_state}."


def _shows(args: Any, negated: bool = False) -> str:
    where = element(args.within) if args.within is not None else "the page"
    if args.empty:
        return f"Check that {where} shows {'some' if negated else 'no'} text."
    how = "exactly " if args.exact else ("the word " if args.word else "")
    return f"Check that {where} {'does not show' if negated else 'shows'} {how}{args.text}."


def _expected(args: Any) -> str:
    return f"{args.value}" if args.value is not None else f"text matching `{args.matches}`"


SENTENCES: dict[str, Callable[[Any], str]] = {
    "goto": lambda a: f"Open {a.url}." + (f" (It answers {a.expect_status}.)" if a.expect_status else ""),
    "click": lambda a: f"Click {element(a)}.",
    "fill": lambda a: f"Type {a.value} into {element(a)}.",
    "select": lambda a: f"Choose {a.option} in {element(a)}.",
    "check": lambda a: f"{'Tick' if a.checked else 'Untick'} {element(a)}.",
    "press": lambda a: f"Press {a.key}" + (f" in {element(a.target())}." if a.target() else "."),
    "expect_text": _shows,
    "expect_no_text": lambda a: _shows(a, negated=True),
    "expect_url": lambda a: f"Check that the address is {a.url}." if a.url else f"Check that the address matches `{a.regex}`.",
    "expect_visible": lambda a: f"Check that {element(a)} is visible.",
    "expect_hidden": lambda a: f"Check that {element(a)} is hidden.",
    "expect_count": lambda a: f"Check that there are {a.bounds_text()} of {element(a)}.",
    "expect_attribute": lambda a: f"Check that the {a.attribute} of {element(a)} is {_expected(a)}.",
    "expect_value": lambda a: f"Check that {element(a)} holds {_expected(a)}.",
    "wait_for": _wait,
    "screenshot": lambda a: f"Take a screenshot ({a.name}).",
    "save": lambda a: f"Note the {a.attribute or 'text'} of {element(a)} as {a.var}.",
    "use": lambda a: f"Do the steps of {a.flow}" + (f" with {_pairs(a.with_)}:" if a.with_ else ":"),
    "frame": lambda a: f"Inside the frame {element(a)}:",
    "popup": lambda a: "In the popup window that the next step opens:",
    "dialog": lambda a: (f"{'Accept' if a.accept else 'Dismiss'} the {a.type or 'browser'} dialog"
                         + (f" saying {a.text}" if a.text else "") + (f", answering {a.answer}" if a.answer else "")
                         + " that the next step opens:"),
    "expect_email": lambda a: (f"Check that an email to {a.to} arrives"
                               + (f" with the subject {a.subject}" if a.subject else "")
                               + (f" mentioning {a.body_contains}" if a.body_contains else "") + "."),
    "audit_accessibility": lambda a: f"Audit the accessibility of {a.name or 'the page'}.",
    "set_cookie": lambda a: f"Set the cookie {a.name}" + (f" for {a.domain or a.url}." if a.domain or a.url else "."),
    "set_local_storage": lambda a: f"Set {a.key} in the page's localStorage.",
    "save_storage_state": lambda a: f"Save the cookies and localStorage to {a.path}.",
}


def _pairs(values: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in values.items())


def _sentence(kind: str, args: Any, scope: Scope | None) -> str:
    try:
        text = SENTENCES[kind](args) if kind in SENTENCES else f"{kind} {args.describe()}."
    except (AttributeError, KeyError, TypeError, ValueError):
        text = f"{kind} {args.describe()}."
    text = _DOUBLED.sub(r"\1", text)  # "shows Added to your cart." ends once
    if getattr(args, "soft", False):
        text += " (A soft check: the flow goes on if it fails.)"
    return scope.redactor(text) if scope is not None else text
