"""Detector policies: fail, warn or ignore per detector, with allow-lists; per target, overridable per flow."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DETECTORS = ("console_errors", "failed_requests", "http_errors", "error_messages")
Policy = Literal["fail", "warn", "ignore"]
EXAMPLE = "e.g. detectors: {http_errors: {policy: warn, allow: [/favicon.ico]}, console_errors: ignore}"


class DetectorPolicy(BaseModel):
    """What to do with one detector's findings; `allow` entries are case-insensitive regexes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    policy: Policy = Field("fail", description="fail the flow, warn (pass, but report it) or ignore")
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


def _default() -> DetectorPolicy:
    return DetectorPolicy.model_validate({})  # policy fail, nothing allowed


class DetectorSettings(BaseModel):
    """The four always-on detectors (target config key `detectors:`, flow key `detectors:`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    console_errors: DetectorPolicy = Field(default_factory=_default,
                                           description="console.error messages and uncaught page errors")
    failed_requests: DetectorPolicy = Field(default_factory=_default,
                                            description="requests that failed on the network or were aborted")
    http_errors: DetectorPolicy = Field(default_factory=_default,
                                        description="HTTP >= 500, and >= 400 for pages, form posts and XHR/fetch")
    error_messages: DetectorPolicy = Field(default_factory=_default,
                                           description="visible text matching the target's error_patterns")

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
        changes: dict[str, DetectorPolicy] = {}
        for name, raw in _expand(override).items():
            base: DetectorPolicy = getattr(self, name)
            given = DetectorPolicy.model_validate(raw)
            policy = raw.get("policy", base.policy) if isinstance(raw, dict) else base.policy
            changes[name] = DetectorPolicy(policy=policy, allow=base.allow + given.allow)
        return self.model_copy(update=changes)

    def of(self, detector: str) -> DetectorPolicy:
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
            DetectorPolicy.model_validate({"policy": value} if isinstance(value, str) else value)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            text = str(err.get("ctx", {}).get("error", err["msg"]))
            problems.append(((name,), f"detectors.{name}{'.' + where if where else ''}: {text}; {EXAMPLE}"))
    return problems


def schema() -> dict[str, Any]:
    """JSON Schema of a flow's `detectors:` key."""
    policy = {"enum": ["fail", "warn", "ignore"]}
    one = {"oneOf": [policy, {"type": "object", "additionalProperties": False, "properties": {
        "policy": policy, "allow": {"type": "array", "items": {"type": "string"}}}}]}
    return {"type": "object", "additionalProperties": False,
            "description": "Detector policies for this flow (on top of the target's)",
            "properties": {name: one for name in DETECTORS}}
