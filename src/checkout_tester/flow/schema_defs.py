"""JSON Schema pieces shared by the flow and target-config schemas: ids, durations, ARIA roles, budgets.

Each says what the loader accepts, from the loader's own constants, so editors and `validate` agree.
"""
from __future__ import annotations

import json
from typing import Any

from checkout_tester.flow.aria import ARIA_ROLES
from checkout_tester.flow.budgets import METRICS, PAGE_METRICS, PAGES, TIERS
from checkout_tester.flow.step_arguments import DURATION_PATTERN, SHARED_DEF

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Names, not addresses: nothing is ever fetched from them (a urn cannot be).
FLOW_ID = "urn:checkout-tester:schema:flow"
TARGET_ID = "urn:checkout-tester:schema:target"
FLOW_FILE, TARGET_FILE = "flow.schema.json", "target.schema.json"

DURATION_TEXT = "A duration: 2s, 500ms, 1.5s, 2m, or a number of milliseconds"


def _duration() -> dict[str, Any]:
    # `pattern` applies to strings only: numbers pass as they are. patternErrorMessage: VS Code's and
    # yaml-language-server's own keyword, shown instead of the bare regex (other validators ignore it).
    return {"description": DURATION_TEXT, "examples": ["2s", "500ms", "1.5s", "2m", 1500],
            "type": ["number", "string"], "pattern": DURATION_PATTERN,
            "patternErrorMessage": "not a duration: write it like 2s, 500ms, 1.5s, 2m or 1500 (milliseconds)"}


def _limit(metric: str) -> dict[str, Any]:
    """One budget: a bare value (the warn tier) or {warn, fail}; null clears a tier set below."""
    unit, what = METRICS[metric]
    value: dict[str, Any] = {"$ref": "#/$defs/Duration"} if unit == "ms" else {"type": "number"}
    tier = {"anyOf": [value, {"type": "null"}]}
    return {"description": f"Budget of the {what}: a value (warn) or {{warn: ..., fail: ...}}",
            "anyOf": [value, {"type": "object", "additionalProperties": False, "properties": {t: tier for t in TIERS}}]}


def budgets_schema() -> dict[str, Any]:
    """The `budgets:` key of a flow or a target, as flow/budgets.py checks it."""
    pages = {"type": "object", "minProperties": 1,
             "description": "Page budgets per URL pattern (a regex for the path, from /, or the whole URL)",
             "propertyNames": {"pattern": "^(/|https?://)"},
             "additionalProperties": {"type": "object", "minProperties": 1, "additionalProperties": False,
                                      "properties": {m: _limit(m) for m in PAGE_METRICS}}}
    return {"type": "object", "additionalProperties": False,
            "description": "Timing budgets: warn marks the run degraded, fail fails it; "
                           "e.g. {page_load: {warn: 2s, fail: 4s}, step: 2s}",
            "properties": {**{m: _limit(m) for m in METRICS}, PAGES: pages}}


def shared_defs() -> dict[str, Any]:
    """The definitions the models' markers point at (step_arguments.SHARED_DEF)."""
    return {
        "StepBudget": {"description": "Timing budget of this step: 2s (warn) or {warn: 2s, fail: 4s}",
                       "anyOf": [{"$ref": "#/$defs/Duration"},
                                 {"type": "object", "additionalProperties": False,
                                  "properties": {t: {"anyOf": [{"$ref": "#/$defs/Duration"}, {"type": "null"}]}
                                                 for t in TIERS}}]},
        "AriaRole": {"description": "An ARIA role, as Playwright's get_by_role takes it", "enum": list(ARIA_ROLES),
                     "errorMessage": "not an ARIA role Playwright's get_by_role takes; roles are lowercase: "
                                     "button, link, textbox, checkbox, heading ... (completion lists them all)"},
        "Duration": _duration(),
    }


def link(schema: Any) -> Any:
    """Replace the models' shared-definition markers with $refs (in place); returns `schema`."""
    if isinstance(schema, dict):
        name = schema.pop(SHARED_DEF, None)
        if name is not None:
            schema["$ref"] = f"#/$defs/{name}"
        for value in schema.values():
            link(value)
    elif isinstance(schema, list):
        for value in schema:
            link(value)
    return schema


def document(schema_id: str, title: str, description: str, body: dict[str, Any]) -> dict[str, Any]:
    """A whole schema file: dialect, id, title first; markers linked; the shared definitions it uses added."""
    link(body)
    defs, shared = body.pop("$defs", {}), shared_defs()
    used = json.dumps([body, defs])
    for name, schema in shared.items():  # in an order where a definition comes before those it refers to
        if f'"#/$defs/{name}"' in used:
            defs[name] = schema
            used += json.dumps(schema)
    return {"$schema": DIALECT, "$id": schema_id, "title": title, "description": description, **body,
            "$defs": dict(sorted(defs.items()))}


def text(schema: dict[str, Any]) -> str:
    """A schema as the text of its file."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
