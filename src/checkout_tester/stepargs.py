"""Typed arguments of every step verb; the YAML format is defined here and nowhere else.

Each model validates one verb's arguments. `SHORTHAND` says which field a plain scalar
fills (`click: Pay now` means `click: {text: Pay now}`). The JSON Schema is built from these.
"""
from __future__ import annotations

import re
from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LOCATOR_KINDS = ("role", "label", "placeholder", "text", "testid", "css", "title", "alt")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$")


def parse_duration_ms(value: Any) -> float:
    """`2s`, `500ms`, `1.5s`, `1m` or a bare number of milliseconds -> milliseconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"'{value}' is not a duration; write it like 2s, 500ms or 1500")
    number, unit = float(match.group(1)), match.group(2) or "ms"
    return number * {"ms": 1, "s": 1000, "m": 60000}[unit]


Duration = Union[int, float, str]


class Args(BaseModel):
    """Base of all step arguments: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    timeout: Optional[Duration] = Field(None, description="How long to wait, e.g. 5s or 500ms")
    budget: Optional[Union[Duration, dict[str, Optional[Duration]]]] = Field(
        None, description="Timing budget of this step: 2s (warn) or {warn: 2s, fail: 4s}")

    @field_validator("timeout")
    @classmethod
    def _check_timeout(cls, value: Any) -> Any:
        if value is not None:
            parse_duration_ms(value)
        return value

    @field_validator("budget")
    @classmethod
    def _check_budget(cls, value: Any) -> Any:
        if isinstance(value, dict):
            unknown = [k for k in value if k not in ("warn", "fail")]
            if unknown:
                raise ValueError(f"a step budget takes warn and fail, not {', '.join(unknown)}; "
                                 "e.g. budget: {warn: 2s, fail: 4s}")
            for tier in value.values():
                if tier is not None:
                    parse_duration_ms(tier)
        elif value is not None:
            parse_duration_ms(value)
        return value

    def timeout_ms(self, default: float) -> float:
        """This step's timeout, or the target's default."""
        return parse_duration_ms(self.timeout) if self.timeout is not None else default

    def describe(self) -> str:
        """Short human description used in step titles."""
        return ""


class Locator(Args):
    """Find an element the way a shopper would: by role and name, label, text ..."""

    role: Optional[str] = Field(None, description="ARIA role, e.g. button, link, textbox")
    name: Optional[str] = Field(None, description="Accessible name, with role")
    exact: bool = Field(False, description="Match name/text/label exactly")
    label: Optional[str] = None
    placeholder: Optional[str] = None
    text: Optional[str] = None
    testid: Optional[str] = Field(None, description="data-testid attribute")
    css: Optional[str] = Field(None, description="CSS selector, a last resort")
    title: Optional[str] = None
    alt: Optional[str] = None
    nth: Optional[int] = Field(None, description="Pick the n-th match (0-based) when several match")

    @model_validator(mode="after")
    def _one_kind(self) -> "Locator":
        given = [k for k in LOCATOR_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(
                f"a locator needs exactly one of {', '.join(LOCATOR_KINDS)} (found: {found}); "
                "e.g. {role: button, name: Pay now} or {label: Email}"
            )
        if self.name is not None and self.role is None:
            raise ValueError("'name' only goes with 'role', e.g. {role: button, name: Pay now}")
        return self

    @property
    def locator_kind(self) -> str:
        """Which locator field is set."""
        return next(k for k in LOCATOR_KINDS if getattr(self, k) is not None)

    def describe(self) -> str:
        kind = self.locator_kind
        text = f'{kind}={getattr(self, kind)!r}'
        if self.name is not None:
            text += f" name={self.name!r}"
        if self.nth is not None:
            text += f" nth={self.nth}"
        return text


class GotoArgs(Args):
    url: str = Field(description="Path on the target (/cart) or a full URL")
    expect_status: Optional[int] = Field(
        None, ge=100, le=599, description="HTTP status the page must answer, e.g. 404; a 3xx matches the redirect")

    def describe(self) -> str:
        return self.url


class ClickArgs(Locator):
    pass


class FillArgs(Locator):
    value: str

    def describe(self) -> str:
        return Locator.describe(self)  # never the value: it may be a secret


class SelectArgs(Locator):
    option: str = Field(description="Option label or value")

    def describe(self) -> str:
        return f"{Locator.describe(self)} option={self.option!r}"


class CheckArgs(Locator):
    checked: bool = True


class PressArgs(Args):
    key: str = Field(description="Key name, e.g. Enter, Tab, Control+A")
    role: Optional[str] = None
    name: Optional[str] = None
    exact: bool = False
    label: Optional[str] = None
    placeholder: Optional[str] = None
    text: Optional[str] = None
    testid: Optional[str] = None
    css: Optional[str] = None
    title: Optional[str] = None
    alt: Optional[str] = None
    nth: Optional[int] = None

    def target(self) -> Locator | None:
        """The element to press the key in, or None for the focused element."""
        fields = self.model_dump(exclude={"key", "timeout", "budget"}, exclude_defaults=True)
        return Locator(**fields) if fields else None

    def describe(self) -> str:
        return self.key


class TextArgs(Args):
    text: str
    within: Optional[Locator] = Field(None, description="Only look inside this element")
    exact: bool = False

    def describe(self) -> str:
        return repr(self.text)


class UrlArgs(Args):
    url: Optional[str] = Field(None, description="Path or URL; * matches anything")
    regex: Optional[str] = None

    @model_validator(mode="after")
    def _one(self) -> "UrlArgs":
        if (self.url is None) == (self.regex is None):
            raise ValueError("give either url or regex, e.g. expect_url: /account")
        return self

    def describe(self) -> str:
        return self.url or f"regex {self.regex}"


class VisibleArgs(Locator):
    pass


class WaitForArgs(Args):
    visible: Optional[Locator] = None
    hidden: Optional[Locator] = None
    url: Optional[str] = None
    text: Optional[str] = None
    load_state: Optional[str] = Field(None, description="load, domcontentloaded or networkidle")

    @model_validator(mode="after")
    def _one(self) -> "WaitForArgs":
        given = [k for k in ("visible", "hidden", "url", "text", "load_state") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "wait_for waits on one condition: visible, hidden, url, text or load_state "
                "(never a fixed time), e.g. wait_for: {visible: {testid: order-number}}"
            )
        return self

    def describe(self) -> str:
        for key in ("visible", "hidden", "url", "text", "load_state"):
            value = getattr(self, key)
            if value is not None:
                return f"{key} {value.describe() if isinstance(value, Locator) else value}"
        return ""


class ScreenshotArgs(Args):
    name: str = "screenshot"
    full_page: bool = False

    def describe(self) -> str:
        return self.name


class SaveArgs(Locator):
    var: str = Field(description="Variable name to keep the value in")
    attribute: Optional[str] = Field(None, description="Save this attribute instead of the text")
    pattern: Optional[str] = Field(None, description="Regex; saves group 1 or the whole match")

    def describe(self) -> str:
        return f"{self.var} <- {Locator.describe(self)}"


class UseArgs(Args):
    flow: str = Field(description="Path of the sub-flow, relative to this file")
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")

    def describe(self) -> str:
        return self.flow


class FrameArgs(Locator):
    steps: list[Any] = Field(description="Steps run inside the iframe")


class PopupArgs(Args):
    open: dict[str, Any] = Field(description="The step that opens the popup, e.g. {click: {...}}")
    steps: list[Any] = Field(description="Steps run inside the popup window")
    closes: bool = Field(True, description="Wait for the popup to close after its steps")

    def describe(self) -> str:
        return "window"


class EmailSave(BaseModel):
    """Keep part of the mail (a code, a link) in a variable for later steps."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    var: str = Field(description="Variable name to keep the value in")
    pattern: str = Field(description="Regex searched in the body; saves group 1 or the whole match")


class EmailArgs(Args):
    to: str = Field(description="Recipient address")
    subject: Optional[str] = Field(None, description="Text the subject contains")
    body_contains: Optional[str] = Field(None, description="Text the body contains")
    save: Optional[EmailSave] = None

    def describe(self) -> str:
        return f"to {self.to}" + (f" subject {self.subject!r}" if self.subject else "")


IMPACTS = ("critical", "serious", "moderate", "minor")


class AuditArgs(Args):
    name: Optional[str] = Field(None, description="What is audited, for the report, e.g. checkout page")
    fail_on: Optional[list[str]] = Field(None, description="Impacts that fail the step; default: the target's")
    exclude: list[str] = Field(default_factory=list, description="CSS selectors to leave out of the audit")

    @field_validator("fail_on")
    @classmethod
    def _impacts(cls, value: Any) -> Any:
        for impact in value or []:
            if impact not in IMPACTS:
                raise ValueError(f"'{impact}' is not an axe impact; use {', '.join(IMPACTS)}")
        return value

    def describe(self) -> str:
        return self.name or ""


STEP_ARGS: dict[str, type[Args]] = {
    "goto": GotoArgs,
    "click": ClickArgs,
    "fill": FillArgs,
    "select": SelectArgs,
    "check": CheckArgs,
    "press": PressArgs,
    "expect_text": TextArgs,
    "expect_no_text": TextArgs,
    "expect_url": UrlArgs,
    "expect_visible": VisibleArgs,
    "expect_hidden": VisibleArgs,
    "wait_for": WaitForArgs,
    "screenshot": ScreenshotArgs,
    "save": SaveArgs,
    "use": UseArgs,
    "frame": FrameArgs,
    "popup": PopupArgs,
    "expect_email": EmailArgs,
    "audit_accessibility": AuditArgs,
}

# Which field a plain scalar fills: `goto: /cart`, `click: Pay now`, `expect_text: Welcome`.
SHORTHAND: dict[str, str] = {
    "goto": "url",
    "click": "text",
    "check": "label",
    "press": "key",
    "expect_text": "text",
    "expect_no_text": "text",
    "expect_url": "url",
    "expect_visible": "text",
    "expect_hidden": "text",
    "screenshot": "name",
    "use": "flow",
    "audit_accessibility": "name",
}

# Verbs that define a variable for later steps, and where its name sits in their arguments.
SAVES: dict[str, tuple[str, ...]] = {"save": ("var",), "expect_email": ("save", "var")}


def saved_var(verb: str, data: Any) -> tuple[Any, tuple[str, ...]]:
    """The variable name a step's raw (or parsed) arguments save to, and its path; (None, ()) if none."""
    path = SAVES.get(verb, ())
    value = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else getattr(value, key, None)
    return (value, path) if path else (None, ())

# Verbs whose `steps` (and popup's `open`) hold nested steps.
NESTING = {"frame", "popup"}
