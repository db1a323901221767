"""Typed arguments of every step verb; the YAML format is defined here and nowhere else.

Each model validates one verb's arguments. `SHORTHAND` says which field a plain scalar
fills (`click: Pay now` means `click: {text: Pay now}`). The JSON Schema is built from these.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from checkout_tester.flow.aria import check_role

LOCATOR_KINDS = ("role", "label", "placeholder", "text", "testid", "css", "title", "alt")

# One pattern for the loader and the JSON Schema (ASCII classes: the same in Python and in editors' ECMA regex).
DURATION_PATTERN = r"^[ \t]*([0-9]+(?:\.[0-9]+)?)[ \t]*(ms|s|m)?[ \t]*$"
_DURATION = re.compile(DURATION_PATTERN)
# A type's JSON Schema is a shared definition (flow/schema_defs.py turns this marker into a $ref).
SHARED_DEF = "x-checkout-tester-def"


def parse_duration_ms(value: Any) -> float:
    """`2s`, `500ms`, `1.5s`, `1m` or a bare number of milliseconds -> milliseconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"'{value}' is not a duration; write it like 2s, 500ms or 1500")
    number, unit = float(match.group(1)), match.group(2) or "ms"
    return number * {"ms": 1, "s": 1000, "m": 60000}[unit]


Duration = Annotated[Union[int, float, str], WithJsonSchema({SHARED_DEF: "Duration"})]
StepBudget = Annotated[Union[Duration, dict[str, Optional[Duration]]], WithJsonSchema({SHARED_DEF: "StepBudget"})]
Role = Annotated[str, AfterValidator(check_role), WithJsonSchema({SHARED_DEF: "AriaRole"})]


class Args(BaseModel):
    """Base of all step arguments: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    timeout: Optional[Duration] = Field(None, description="How long to wait, e.g. 5s or 500ms")
    budget: Optional[StepBudget] = Field(
        None, description="Timing budget of this step: 2s (warn) or {warn: 2s, fail: 4s}")
    soft: bool = Field(False, description="A failure is recorded and the flow goes on; it fails at the end")

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


class Element(BaseModel):
    """Find an element the way a shopper would: by role and name, label, text ...; optionally inside another."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    role: Optional[Role] = Field(None, description="ARIA role, e.g. button, link, textbox")
    name: Optional[str] = Field(None, description="Accessible name, with role")
    exact: bool = Field(False, description="Match name/text/label exactly")
    label: Optional[str] = None
    placeholder: Optional[str] = None
    text: Optional[str] = None
    testid: Optional[str] = Field(None, description="Test id attribute (the target's testid_attribute, default data-testid)")
    css: Optional[str] = Field(None, description="CSS selector, a last resort")
    title: Optional[str] = None
    alt: Optional[str] = None
    has_text: Optional[str] = Field(None, description="Only matches whose text contains this (any case)")
    within: Optional[Element] = Field(None, description="Only look inside this element (a locator; may nest)")
    nth: Optional[int] = Field(None, description="Pick the n-th match (0-based; -1 the last) when several match")

    @model_validator(mode="after")
    def _one_kind(self) -> Element:
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

    def locator_text(self) -> str:
        """The locator in words, e.g. `role='button' name='Add to cart' within css='.item'`."""
        kind = self.locator_kind
        text = f'{kind}={getattr(self, kind)!r}'
        if self.name is not None:
            text += f" name={self.name!r}"
        if self.has_text is not None:
            text += f" has_text={self.has_text!r}"
        if self.nth is not None:
            text += f" nth={self.nth}"
        if self.within is not None:
            text += f" within {self.within.locator_text()}"
        return text

    def describe(self) -> str:
        return self.locator_text()


class Locator(Args, Element):
    """A step's element: the locator fields plus the step's timeout, budget and soft."""

    def describe(self) -> str:
        return self.locator_text()


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
    role: Optional[Role] = None
    name: Optional[str] = None
    exact: bool = False
    label: Optional[str] = None
    placeholder: Optional[str] = None
    text: Optional[str] = None
    testid: Optional[str] = None
    css: Optional[str] = None
    title: Optional[str] = None
    alt: Optional[str] = None
    has_text: Optional[str] = None
    within: Optional[Element] = None
    nth: Optional[int] = None

    def target(self) -> Locator | None:
        """The element to press the key in, or None for the focused element."""
        fields = self.model_dump(exclude={"key", "timeout", "budget", "soft"}, exclude_defaults=True)
        return Locator(**fields) if fields else None

    def describe(self) -> str:
        return self.key


class TextArgs(Args):
    text: Optional[str] = Field(None, description="Text the page (or `within`) contains")
    within: Optional[Element] = Field(None, description="Only look inside this element")
    exact: bool = Field(False, description="The whole text equals `text` (whitespace normalised)")
    word: bool = Field(False, description="`text` appears as a whole word, not inside a longer one")
    empty: bool = Field(False, description="The element `within` shows no text at all")

    @model_validator(mode="after")
    def _one(self) -> TextArgs:
        if self.empty:
            if self.text is not None or self.exact or self.word:
                raise ValueError("empty: true takes no text, exact or word; "
                                 "e.g. expect_text: {within: {testid: cart-message}, empty: true}")
            if self.within is None:
                raise ValueError("empty: true needs within: (the element that is empty); "
                                 "e.g. expect_text: {within: {testid: cart-message}, empty: true}")
        elif self.text is None:
            raise ValueError("give the text to look for, or empty: true; e.g. expect_text: Welcome")
        if self.exact and self.word:
            raise ValueError("exact (the whole text) and word (a whole word in it) exclude each other; "
                             "e.g. expect_text: {text: Total, within: {testid: cart}, word: true}")
        return self

    def describe(self) -> str:
        what = "empty" if self.empty else repr(self.text)
        return what + (f" within {self.within.locator_text()}" if self.within else "")


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
                return f"{key} {value.describe() if isinstance(value, Element) else value}"
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


class DialogArgs(Args):
    open: dict[str, Any] = Field(description="The step that opens the dialog, e.g. {click: Remove}")
    accept: bool = Field(True, description="Accept the dialog (OK), or dismiss it (Cancel) with false")
    text: Optional[str] = Field(None, description="Text the dialog's message contains")
    answer: Optional[str] = Field(None, description="What to type into a prompt before accepting it")
    type: Optional[Literal["alert", "confirm", "prompt", "beforeunload"]] = Field(
        None, description="The kind of dialog expected; any kind when not given")

    @model_validator(mode="after")
    def _answer_accepts(self) -> "DialogArgs":
        if self.answer is not None and not self.accept:
            raise ValueError("a prompt's answer is typed only when it is accepted: drop 'answer' or 'accept: false'")
        return self

    def describe(self) -> str:
        said = repr(self.text) if self.text is not None else ""
        return " ".join(part for part in (self.type or "", said) if part)


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


class CountArgs(Locator):
    count: Optional[int] = Field(None, description="Exactly this many elements match", ge=0)
    at_least: Optional[int] = Field(None, description="At least this many match", ge=0)
    at_most: Optional[int] = Field(None, description="At most this many match", ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> CountArgs:
        if self.count is None and self.at_least is None and self.at_most is None:
            raise ValueError("say how many: count, at_least or at_most; e.g. expect_count: {css: .cart-row, count: 2}")
        if self.count is not None and (self.at_least is not None or self.at_most is not None):
            raise ValueError("count is exact: give it alone, or at_least and/or at_most; "
                             "e.g. expect_count: {css: .cart-row, at_least: 1, at_most: 3}")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError(f"at_least {self.at_least} is more than at_most {self.at_most}; "
                             "e.g. expect_count: {css: .cart-row, at_least: 1, at_most: 3}")
        return self

    def bounds_text(self) -> str:
        """`2`, `at least 1`, `at least 1 and at most 3`."""
        if self.count is not None:
            return str(self.count)
        parts = [f"at least {self.at_least}"] if self.at_least is not None else []
        return " and ".join(parts + ([f"at most {self.at_most}"] if self.at_most is not None else []))

    def describe(self) -> str:
        return f"{self.bounds_text()} x {self.locator_text()}"


class _Equals(Locator):
    """An expected value: equal to `value`, or matching the regex `matches`."""

    value: Optional[str] = Field(None, description="The value it equals")
    matches: Optional[str] = Field(None, description="A regex the value matches (searched, any position)")

    @model_validator(mode="after")
    def _one_expected(self) -> _Equals:
        if (self.value is None) == (self.matches is None):
            raise ValueError("give either value (equals) or matches (a regex); "
                             f"e.g. {_EQUALS_EXAMPLES.get(type(self).__name__, '')}")
        if self.matches is not None:
            try:
                re.compile(self.matches)
            except re.error as exc:
                raise ValueError(f"matches {self.matches!r} is not a valid regex ({exc}); "
                                 "e.g. matches: \"^/products/\"") from None
        return self

    def expected_text(self) -> str:
        """`'/cart'` or `matching '^/products/'`."""
        return repr(self.value) if self.value is not None else f"matching {self.matches!r}"


_EQUALS_EXAMPLES = {"AttributeArgs": "expect_attribute: {testid: cart-link, attribute: href, value: /cart}",
                    "ValueArgs": 'expect_value: {label: Email, value: "{{ email }}"}'}
_ATTRIBUTE = re.compile(r"^[A-Za-z_:][-\w.:]*$")


class AttributeArgs(_Equals):
    attribute: str = Field(description="Attribute name: href, src, alt, aria-pressed, data-state ...")

    @field_validator("attribute")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ATTRIBUTE.match(value):
            raise ValueError(f"'{value}' is not an attribute name; e.g. attribute: href or attribute: aria-expanded")
        return value

    def describe(self) -> str:
        return f"{self.locator_text()} {self.attribute}"  # never the value: it may be a secret


class ValueArgs(_Equals):
    def describe(self) -> str:
        return self.locator_text()  # never the value: it may be a secret


class CookieArgs(Args):
    name: str = Field(description="Cookie name")
    value: str = Field(description="Cookie value (never shown; a {{ secret.X }} is redacted everywhere)")
    url: Optional[str] = Field(None, description="URL the cookie is for; default: the current page, else the base URL")
    domain: Optional[str] = Field(None, description="Domain, e.g. .shop.example (instead of url)")
    path: Optional[str] = Field(None, description="Path, with domain (default /)")
    secure: Optional[bool] = None
    http_only: Optional[bool] = None
    same_site: Optional[str] = Field(None, description="Strict, Lax or None")
    expires: Optional[float] = Field(None, description="Unix time in seconds; default: a session cookie")

    @model_validator(mode="after")
    def _where(self) -> CookieArgs:
        if self.url is not None and (self.domain is not None or self.path is not None):
            raise ValueError("give url, or domain (and path), not both; "
                             "e.g. set_cookie: {name: consent, value: 'yes', domain: 127.0.0.1, path: /}")
        if self.same_site is not None and self.same_site not in ("Strict", "Lax", "None"):
            raise ValueError(f"same_site must be Strict, Lax or None, not {self.same_site!r}; e.g. same_site: Lax")
        return self

    def describe(self) -> str:
        return self.name + (f" for {self.domain or self.url}" if self.domain or self.url else "")


class LocalStorageArgs(Args):
    key: str = Field(description="localStorage key, on the current page's origin")
    value: str = Field(description="The value (text; never shown)")

    def describe(self) -> str:
        return self.key


class StorageStateArgs(Args):
    path: str = Field(description="JSON file to write cookies and localStorage to (relative to the working folder)")

    def describe(self) -> str:
        return self.path


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
    "dialog": DialogArgs,
    "expect_email": EmailArgs,
    "audit_accessibility": AuditArgs,
    "expect_count": CountArgs,
    "expect_attribute": AttributeArgs,
    "expect_value": ValueArgs,
    "set_cookie": CookieArgs,
    "set_local_storage": LocalStorageArgs,
    "save_storage_state": StorageStateArgs,
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
    "save_storage_state": "path",
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
TRIGGERS = {"popup", "dialog"}  # verbs whose `open` holds the step that opens a window or dialog


class MonitorSettings(BaseModel):
    """A flow's own schedule under `checkout-tester monitor`: `monitor: {every: 1m, recheck: 30s}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    every: Optional[Duration] = Field(None, description="How often the monitor runs this flow, e.g. 1m or 30s")
    recheck: Optional[Duration] = Field(None, description="How soon a failure is re-checked, e.g. 30s; 0: never")

    @property
    def every_s(self) -> float | None:
        """The interval in seconds (None: the monitor's --every)."""
        return None if self.every is None else parse_duration_ms(self.every) / 1000

    @property
    def recheck_s(self) -> float | None:
        """The recheck delay in seconds (None: the monitor's --recheck; 0: no recheck)."""
        return None if self.recheck is None else parse_duration_ms(self.recheck) / 1000


MONITOR_EXAMPLE = "e.g. monitor: {every: 5m, recheck: 30s}"


def monitor_issues(data: Any) -> list[tuple[tuple[str, ...], str]]:
    """Mistakes in a flow's `monitor:` block as (path under it, problem); empty when it is right."""
    if not isinstance(data, dict):
        return [((), f"monitor must be a mapping with every and recheck, not {type(data).__name__}")]
    issues: list[tuple[tuple[str, ...], str]] = []
    for key, value in data.items():
        if key not in MonitorSettings.model_fields:
            issues.append(((str(key),), f"unknown key '{key}' in monitor; it takes every and recheck"))
            continue
        try:
            ms = parse_duration_ms(value)
        except ValueError as exc:
            issues.append(((key,), f"monitor {key}: {exc}"))
            continue
        if key == "every" and ms < 1000:
            issues.append(((key,), f"monitor every must be at least 1s, not {value}"))
        elif ms < 0:
            issues.append(((key,), f"monitor {key} can't be negative"))
    return issues
