"""Detector policies: fail, warn or ignore per detector, with allow-lists; per target, overridable per flow."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, Optional

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DETECTORS = ("console_errors", "failed_requests", "http_errors", "error_messages", "error_markup", "dialogs",
             "broken_assets")
Policy = Literal["fail", "warn", "ignore"]
DIALOG_TYPES = ("alert", "confirm", "prompt", "beforeunload")
# An alert, confirm or prompt nobody expected interrupts the shopper (and Playwright cancels the confirm or
# prompt, so the action it guarded silently did nothing): fail. Leaving a page with unsaved input is what
# beforeunload is for, and it is accepted as before, so the navigation goes on: warn.
DIALOG_DEFAULTS: dict[str, Policy] = {"alert": "fail", "confirm": "fail", "prompt": "fail", "beforeunload": "warn"}
EXAMPLE = "e.g. detectors: {http_errors: {policy: warn, allow: [/favicon.ico]}, console_errors: ignore}"
DIALOG_EXAMPLE = "e.g. detectors: {dialogs: {confirm: warn, beforeunload: ignore, allow: [Coupon expired]}}"


class _Allowing(BaseModel):
    """A detector's allow-list: findings matching an entry (regex, any case) are expected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow: tuple[str, ...] = Field((), description="findings matching one of these (regex, any case) are expected")

    @field_validator("allow")
    @classmethod
    def _regexes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"allow entry {pattern!r} is not a regular expression ({exc})") from None
        return value

    def allows(self, text: str) -> str | None:
        """The allow entry that matches `text`, if any."""
        return next((p for p in self.allow if re.search(p, text, re.IGNORECASE)), None)

    def merged(self, raw: Any) -> Any:
        """This policy with a flow's entry on top: what the flow sets wins, allow-lists add up."""
        given = type(self).model_validate(raw)
        data = self.model_dump()
        for name in given.model_fields_set - {"allow"}:
            data[name] = getattr(given, name)
        data["allow"] = self.allow + given.allow
        return type(self).model_validate(data)


class DetectorPolicy(_Allowing):
    """What to do with one detector's findings."""

    policy: Policy = Field("fail", description="fail the flow, warn (pass, but report it) or ignore")

    def policy_for(self, finding_type: str = "") -> Policy:
        """The policy of a finding of this detector."""
        return self.policy


class DialogPolicy(_Allowing):
    """Browser dialogs: one policy for all, or one per type (alert, confirm, prompt, beforeunload)."""

    policy: Optional[Policy] = Field(None, description="every dialog type; unset: alert, confirm and prompt fail, "
                                                       "beforeunload warns")
    alert: Optional[Policy] = None
    confirm: Optional[Policy] = None
    prompt: Optional[Policy] = None
    beforeunload: Optional[Policy] = None

    def policy_for(self, finding_type: str = "") -> Policy:
        """The policy of a dialog of this type: its own, else the detector's, else the default."""
        own = getattr(self, finding_type, None) if finding_type in DIALOG_TYPES else None
        return own or self.policy or DIALOG_DEFAULTS.get(finding_type, "fail")

    def merged(self, raw: Any) -> Any:
        """A flow's `policy` covers every type, so the target's per-type entries give way to it."""
        merged = super().merged(raw)
        given = type(self).model_validate(raw)
        if "policy" in given.model_fields_set:
            merged = merged.model_copy(update={t: getattr(given, t) for t in DIALOG_TYPES})
        return merged


def _default() -> DetectorPolicy:
    return DetectorPolicy.model_validate({})  # policy fail, nothing allowed


def _warn() -> DetectorPolicy:
    return DetectorPolicy.model_validate({"policy": "warn"})


AnyPolicy = DetectorPolicy | DialogPolicy


class DetectorSettings(BaseModel):
    """The always-on detectors (target config key `detectors:`, flow key `detectors:`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    console_errors: DetectorPolicy = Field(default_factory=_default,
                                           description="console.error messages and uncaught page errors")
    failed_requests: DetectorPolicy = Field(default_factory=_default,
                                            description="requests that failed on the network or were aborted")
    http_errors: DetectorPolicy = Field(default_factory=_default,
                                        description="HTTP >= 500, and >= 400 for pages, form posts and XHR/fetch")
    error_messages: DetectorPolicy = Field(default_factory=_default,
                                           description="visible text matching the target's error_patterns")
    error_markup: DetectorPolicy = Field(
        default_factory=_default, description="errors the page marks up as errors, no patterns needed: role=alert and "
        "aria-live messages new after an action, aria-invalid fields, HTML5 :invalid on submit, framework error markup")
    dialogs: DialogPolicy = Field(default_factory=DialogPolicy,
                                  description="alert, confirm, prompt and beforeunload dialogs no dialog step expected")
    broken_assets: DetectorPolicy = Field(default_factory=_warn,
                                          description="images, stylesheets, fonts and scripts answering 4xx; "
                                                      "images that do not decode")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, raw: Any) -> Any:
        return _expand(raw) if isinstance(raw, dict) else raw

    @classmethod
    def parse(cls, raw: Any) -> DetectorSettings:
        """Settings from YAML; a bare policy name is shorthand: `console_errors: warn`."""
        return cls.model_validate(_expand(raw))

    def merged(self, override: Mapping[str, Any] | None) -> DetectorSettings:
        """These settings with a flow's `detectors:` on top: its policy wins, allow-lists add up."""
        if not override:
            return self
        changes = {name: self.of(name).merged(raw) for name, raw in _expand(override).items()}
        return self.model_copy(update=changes)

    def of(self, detector: str) -> AnyPolicy:
        """The policy of one detector."""
        return getattr(self, detector)  # type: ignore[no-any-return]


def _expand(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"detectors must be a mapping; {EXAMPLE}")
    return {k: {"policy": v} if isinstance(v, str) else v for k, v in raw.items()}


def check_override(raw: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Problems with a flow's `detectors:` mapping, each with its path below `detectors`."""
    if not isinstance(raw, dict):
        return [((), f"detectors must be a mapping; {EXAMPLE}")]
    problems: list[tuple[tuple[Any, ...], str]] = []
    for name, value in raw.items():
        if name not in DETECTORS:
            problems.append(((name,), f"unknown detector '{name}'; the detectors are: {', '.join(DETECTORS)}"))
            continue
        try:
            _model(name).model_validate({"policy": value} if isinstance(value, str) else value)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            text = str(err.get("ctx", {}).get("error", err["msg"]))
            example = DIALOG_EXAMPLE if name == "dialogs" else EXAMPLE
            problems.append(((name,), f"detectors.{name}{'.' + where if where else ''}: {text}; {example}"))
    return problems


def _model(name: str) -> type[AnyPolicy]:
    return DialogPolicy if name == "dialogs" else DetectorPolicy


def schema() -> dict[str, Any]:
    """JSON Schema of a flow's `detectors:` key."""
    policy = {"enum": ["fail", "warn", "ignore"]}

    def one(keys: tuple[str, ...]) -> dict[str, Any]:
        return {"oneOf": [policy, {"type": "object", "additionalProperties": False, "properties": {
            "policy": policy, **{k: policy for k in keys}, "allow": {"type": "array", "items": {"type": "string"}}}}]}

    return {"type": "object", "additionalProperties": False,
            "description": "Detector policies for this flow (on top of the target's)",
            "properties": {name: one(DIALOG_TYPES if name == "dialogs" else ()) for name in DETECTORS}}
