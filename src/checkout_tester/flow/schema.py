"""Human validation messages ("did you mean ...?") and the JSON Schema of a flow file."""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from types import UnionType
from typing import Any, Iterable, Optional, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from checkout_tester.base import failure_classes as classes
from checkout_tester.flow import detector_policy as detectpolicy, effects, equivalents, schema_defs, templates
from checkout_tester.flow.step_arguments import (
    LOCATOR_KINDS,
    SHORTHAND,
    STEP_ARGS,
    Element,
    Locator,
    MonitorSettings,
)

TOP_LEVEL_KEYS = ("name", "description", "tags", "effects", "params", "vars", "variants", "unique", "budgets",
                  "detectors", "storage_state", "monitor", "steps", "finally")
RESERVED_NAMESPACES = templates.NAMESPACES
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # variable names and tags (tags become pytest markers)

# A correct example per verb, shown in hints.
EXAMPLES: dict[str, str] = {
    "goto": "- goto: /cart",
    "click": "- click: {role: button, name: Pay now}",
    "fill": '- fill: {label: Email, value: "{{ email }}"}',
    "select": "- select: {label: Country, option: Germany}",
    "check": "- check: {label: I accept the terms}",
    "press": "- press: {key: Enter, label: Search}",
    "expect_text": "- expect_text: Welcome",
    "expect_no_text": "- expect_no_text: Out of stock",
    "expect_url": "- expect_url: /account",
    "expect_visible": "- expect_visible: {testid: order-number}",
    "expect_hidden": "- expect_hidden: {text: Loading}",
    "wait_for": "- wait_for: {visible: {testid: order-number}}",
    "screenshot": "- screenshot: cart",
    "save": "- save: {var: order_number, testid: order-number}",
    "use": '- use: {flow: parts/login.flow.yaml, with: {email: "{{ email }}"}}',
    "frame": "- frame: {title: Card payment, steps: [{fill: {label: Card number, value: '4242'}}]}",
    "popup": "- popup: {open: {click: Pay with PayPal}, steps: [{click: Approve}]}",
    "dialog": '- dialog: {text: "Remove this item?", accept: true, open: {click: Remove}}',
    "expect_email": '- expect_email: {to: "{{ email }}", subject: Your order, save: {var: code, pattern: "T-\\\\d+"}}',
    "audit_accessibility": "- audit_accessibility: checkout page",
    "expect_count": "- expect_count: {css: .cart-row, count: 2}",
    "expect_attribute": "- expect_attribute: {role: link, name: Cart, attribute: href, value: /cart}",
    "expect_value": '- expect_value: {label: Email, value: "{{ email }}"}',
    "set_cookie": "- set_cookie: {name: consent, value: accepted}",
    "set_local_storage": "- set_local_storage: {key: remembered-user, value: standard_user}",
    "save_storage_state": "- save_storage_state: reports/state/janet.json",
}

_EXPECTED = {
    "string_type": "text", "bool_type": "true or false", "bool_parsing": "true or false",
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number", "dict_type": "a mapping",
    "model_type": "a mapping", "model_attributes_type": "a mapping", "list_type": "a list",
}
_PRIORITY = {"extra_forbidden": 0, "missing": 1, "value_error": 3}  # type errors: 2


@dataclass(frozen=True)
class Problem:
    """One plain-words problem with a step's arguments; `path` points into the arguments."""

    message: str
    path: tuple[Any, ...] = ()
    hint: Optional[str] = None


def closest(word: Any, options: Iterable[str]) -> str | None:
    """The option most like `word`, if one is close enough to be a likely typo."""
    found = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return found[0] if found else None


def suggest(word: Any, options: Iterable[str], more: str) -> str:
    """A hint: `did you mean 'x'? <more>` when an option is close to `word`, else just `more`."""
    match = closest(word, options)
    return f"did you mean '{match}'? {more}" if match else more


SHOWN = 120  # characters of a value quoted in a message: a 400 kB string is not worth repeating


def inline(value: Any) -> str:
    """Render a small value as one line of YAML flow style, for messages and hints (long ones cut with '...')."""
    text = _inline(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_inline(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if not isinstance(value, str):
        return str(value)
    plain = re.fullmatch(r"[A-Za-z0-9_./+][^:#,\[\]{}\"']*", value) and value == value.strip()
    if plain and not re.fullmatch(r"(?i)[-+.\d_eoxa-f:]+|yes|no|on|off|true|false|null|~", value):
        return value
    return json.dumps(value, ensure_ascii=False)


def shown(value: Any) -> str:
    """A value as quoted in a message: texts in quotes, the rest as YAML."""
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= SHOWN else f"'{value[:SHOWN - 3]}...'"
    return inline(value)


def arg_keys(model: type[BaseModel]) -> list[str]:
    """The YAML keys a model takes (aliases such as `with`, not Python names)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def template_names(text: str) -> tuple[list[str], Problem | None]:
    """The names the template `text` reads (`email`, `secret.X` ...), and a problem if it is malformed (Jinja2)."""
    names, problem = templates.analyse(text)
    return list(names), Problem(problem.message, hint=problem.hint) if problem else None


def explain(verb: str, data: Any, exc: ValidationError) -> list[Problem]:
    """Translate pydantic's errors for a step's arguments into plain words, most useful first."""
    problems: dict[tuple[Any, ...], tuple[int, Problem]] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = _existing(data, loc)
        kind = err["type"]
        if kind in ("missing", "extra_forbidden"):
            path = loc[:-1] if kind == "missing" else loc
        elif len(path) < len(loc) and path:  # a Union member's error (timeout: int | float | str)
            kind = "union"
        problem = _explain_one(verb, data, loc, path, kind, err)
        rank = _PRIORITY.get(kind, 2)
        if path not in problems or rank < problems[path][0]:
            problems[path] = (rank, problem)
    return [p for _, p in sorted(problems.values(), key=lambda rp: rp[0])]


def _explain_one(verb: str, data: Any, loc: tuple[Any, ...], path: tuple[Any, ...], kind: str,
                 err: Any) -> Problem:
    dotted = ".".join(str(p) for p in path)
    example = f"e.g. {EXAMPLES[verb]}"
    if kind == "extra_forbidden":
        options = arg_keys(_model_at(STEP_ARGS[verb], loc[:-1]) or STEP_ARGS[verb])
        where = " ".join([verb, *map(str, loc[:-1])])
        match = closest(loc[-1], options)
        hint = suggest(loc[-1], options, f"{where} takes: {', '.join(options)}")
        if match and len(loc) == 1 and isinstance(data, dict):
            fixed = {match if k == loc[-1] else k: v for k, v in data.items()}
            hint = f"did you mean '{match}'? write: - {verb}: {inline(fixed)}"
        return Problem(f"unknown key '{loc[-1]}' in {where}", path, hint)
    if kind == "missing":
        return Problem(f"{verb} is missing '{'.'.join(map(str, loc))}'", path, example)
    if kind == "value_error":
        text = str(err.get("ctx", {}).get("error", err["msg"]))
        message, *advice = re.split(r"[;,] (?=e\.g\.|write it|did you mean)", text, maxsplit=1)
        prefix = f"bad {dotted} in {verb}: " if dotted else "" if message.startswith(verb) else f"{verb}: "
        return Problem(prefix + message, path, advice[0] if advice else example)
    value = _get(data, path)
    if kind == "union" and path[-1] == "timeout":
        return Problem(f"'{dotted}' in {verb} must be a duration, not {shown(value)}", path,
                       "write it like 2s, 500ms or 1500")
    expected = _EXPECTED.get(err["type"])
    if expected is None:
        return Problem(f"'{dotted}' in {verb}: {err['msg'][0].lower()}{err['msg'][1:]}", path, example)
    hint = example
    if expected == "text" and isinstance(value, (int, float, bool)):
        reads = "true/false" if isinstance(value, bool) else "a number"
        hint = f"put it in quotes, e.g. {path[-1]}: \"{inline(value)}\" (unquoted, YAML reads it as {reads})"
    return Problem(f"'{dotted}' in {verb} must be {expected}, not {shown(value)}", path, hint)


def _existing(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The longest prefix of `loc` that really exists in `data`."""
    path: list[Any] = []
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            break
        path.append(part)
    return tuple(path)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The nested model a location inside `model` points at (e.g. `within` -> Locator)."""
    for part in loc:
        fields = {info.alias or name: info for name, info in model.model_fields.items()}
        info = fields.get(str(part))
        if info is None:
            return None
        is_union = get_origin(info.annotation) in (Union, UnionType)
        candidates = [info.annotation, *get_args(info.annotation)] if is_union else [info.annotation]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return None
        model = nested[0]
    return model


def flow_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a whole flow file, built from the step argument models."""
    models: list[type[BaseModel]] = sorted(set(STEP_ARGS.values()), key=lambda m: m.__name__)
    refs, top = models_json_schema([(m, "validation") for m in models], ref_template="#/$defs/{model}")
    defs: dict[str, Any] = top["$defs"]
    by_name: dict[str, type[BaseModel]] = {m.__name__: m for m in models}
    by_name.update(Locator=Locator, Element=Element)
    for name, schema in defs.items():
        if name in by_name and issubclass(by_name[name], Element):  # exactly one way to find the element
            schema["oneOf"] = [{"required": [kind]} for kind in LOCATOR_KINDS]
    step_list = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Step"}}
    defs["FrameArgs"]["properties"]["steps"] = {**step_list, "description": "Steps run inside the iframe"}
    defs["PopupArgs"]["properties"]["steps"] = {**step_list, "description": "Steps run inside the popup window"}
    defs["PopupArgs"]["properties"]["open"] = {"$ref": "#/$defs/Step",
                                               "description": "The step that opens the popup"}
    defs["DialogArgs"]["properties"]["open"] = {"$ref": "#/$defs/Step", "description": "The step that opens the dialog"}
    verbs: dict[str, Any] = {}
    for verb, model in STEP_ARGS.items():
        value: dict[str, Any] = dict(refs[(model, "validation")])
        if verb in SHORTHAND:
            value = {"anyOf": [{"type": "string", "description": f"shorthand for {{{SHORTHAND[verb]}: ...}}"},
                               value]}
        verbs[verb] = {**value, "description": f"e.g. {EXAMPLES[verb]}"}
    # Exactly one verb, said with properties (not a oneOf of 26 mappings) so that a validator points at
    # the wrong argument itself and an editor completes the verbs.
    defs["Step"] = {"type": "object", "description": "One step: a mapping with exactly one verb",
                    "minProperties": 1, "maxProperties": 1, "additionalProperties": False, "properties": verbs}
    names = {"type": "object", "propertyNames": {"pattern": NAME.pattern}}
    return schema_defs.document(schema_defs.FLOW_ID, "checkout-tester flow",
                                "A shopper flow run in a real browser by checkout-tester (*.flow.yaml, *.part.yaml)", {
        "type": "object",
        "required": ["name", "steps"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "description": "What the shopper does: the test's title"},
            "description": {"type": "string", "description": "Why this flow matters, in a sentence or two"},
            "tags": {"type": "array", "items": {"type": "string", "pattern": NAME.pattern},
                     "description": "Markers to pick flows by: checkout-tester run -m smoke"},
            "effects": {"type": "array", "uniqueItems": True, "items": {"enum": list(effects.EFFECTS)},
                        "description": "What the flow does to the store; a production target refuses flows whose "
                                       "effects it does not allow. [] when it changes nothing"},
            "params": {**names, "description": "Inputs with defaults; a sub-flow's parameters"},
            "vars": {**names, "description": "Values the steps read as {{ name }}"},
            "variants": {"description": "One test per input row: {email: [a, b]} or a list of rows", "oneOf": [
                {"type": "object", "minProperties": 1, "propertyNames": {"pattern": NAME.pattern},
                 "additionalProperties": {"oneOf": [{"type": "array", "minItems": 1}, equivalents.spec_schema()]}},
                {"type": "array", "minItems": 1, "items": {"type": "object", "minProperties": 1, "properties": {
                    "id": {"description": "The row's name in the test id"},
                    "expect_failure": {"description": "This row must fail: text its failure shows, or {message, class}",
                                       "oneOf": [{"type": "string", "minLength": 1}, {
                                           "type": "object", "additionalProperties": False, "minProperties": 1,
                                           "properties": {"message": {"type": "string"},
                                                          "class": {"enum": [c.name for c in classes.CLASSES]}}}]}}}},
            ]},
            "unique": {"type": "array", "items": {"type": "string", "pattern": NAME.pattern},
                       "description": "Inputs (emails, names) that get a fresh token in every test run, "
                                      "so a persistent store never sees them twice"},
            "budgets": schema_defs.budgets_schema(),
            "detectors": detectpolicy.schema(),
            "storage_state": {"description": "A saved storage state (save_storage_state) to start from; false: none",
                              "oneOf": [{"type": "string", "minLength": 1}, {"const": False}]},
            "monitor": {**MonitorSettings.model_json_schema(),
                        "description": "This flow's schedule under checkout-tester monitor, e.g. {every: 5m, recheck: 30s}"},
            "steps": {**step_list, "description": "The shopper's steps, in order"},
            "finally": {**step_list, "description": "Steps run after the steps, passed or failed (clean-up)"},
        },
        "$defs": defs,
    })


def schema_text() -> str:
    """The flow schema as the text of flow.schema.json (`checkout-tester schema` writes it)."""
    return schema_defs.text(flow_json_schema())
