"""Target configs: where the store is, which browser, timeouts, and where secrets come from."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from checkout_tester.detectpolicy import DetectorSettings
from checkout_tester.errors import ConfigError
from checkout_tester.stepargs import Duration, parse_duration_ms

DEMO = "demo"  # base_url value meaning "start the embedded demo store"
DEBIAN_CHROMIUM = "/usr/bin/chromium"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BrowserSettings(_Strict):
    executable: str = Field("auto", description="auto: Playwright's own Chromium if installed, else Debian's")
    headless: bool = True
    args: list[str] = Field(default_factory=list)
    viewport: Optional[dict[str, int]] = None
    locale: Optional[str] = None


class Timeouts(_Strict):
    step: Duration = "10s"
    navigation: Duration = "20s"
    expect: Duration = "10s"

    def ms(self, name: str) -> float:
        """A timeout in milliseconds."""
        return parse_duration_ms(getattr(self, name))


class SecretSource(_Strict):
    env: str
    default: Optional[str] = None


class DemoStoreSettings(_Strict):
    faults: list[str] = Field(default_factory=list)
    port: int = 0


class MailSettings(_Strict):
    """Where expect_email reads mail: an SMTP sink the tool runs (smtp) or a Mailpit API (mailpit)."""

    sink: Literal["smtp", "mailpit"] = "smtp"
    host: str = Field(default="127.0.0.1", description="smtp: address the sink listens on")
    port: int = Field(default=0, description="smtp: port to listen on; 0 picks a free one")
    url: Optional[str] = Field(default=None, description="mailpit: base URL, e.g. http://127.0.0.1:8025")
    clock_skew: Duration = Field(default="2s", description="mailpit: how far its clock may run behind ours")

    def clock_skew_ms(self) -> float:
        return parse_duration_ms(self.clock_skew)


Impact = Literal["critical", "serious", "moderate", "minor"]
BLOCKING: tuple[Impact, ...] = ("critical", "serious")


class AccessibilitySettings(_Strict):
    """axe-core audits: `every_page` audits each page a flow visits; fail_on picks the failing impacts."""

    audit: Literal["off", "every_page"] = "off"
    fail_on: list[Impact] = Field(default_factory=lambda: list(BLOCKING))
    exclude: list[str] = Field(default_factory=list, description="CSS selectors left out (third-party widgets)")

    @field_validator("audit", mode="before")
    @classmethod
    def _yaml_off(cls, value: Any) -> Any:
        return "off" if value is False else value  # YAML reads a bare `off` as false


class Target(_Strict):
    name: str = "target"
    base_url: str = DEMO
    browser: BrowserSettings = Field(default_factory=BrowserSettings)
    timeouts: Timeouts = Field(default_factory=Timeouts)
    vars: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, SecretSource] = Field(default_factory=dict)
    demo_store: DemoStoreSettings = Field(default_factory=DemoStoreSettings)
    error_patterns: list[str] = Field(default_factory=list, description="visible text that is an error (regex, any case)")
    detectors: DetectorSettings = Field(default_factory=DetectorSettings)  # fail / warn / ignore, allow-lists
    budgets: dict[str, Any] = Field(default_factory=dict)
    mail: Optional[MailSettings] = None  # None: an SMTP sink for the demo store, no mail checks elsewhere
    accessibility: AccessibilitySettings = Field(default_factory=AccessibilitySettings)
    source: str = Field("<built-in demo>", exclude=True)

    @field_validator("budgets")
    @classmethod
    def _budgets(cls, value: dict[str, Any]) -> dict[str, Any]:
        from checkout_tester.budgets import budget_problems  # budgets imports stepargs, as this module does

        problems = budget_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @property
    def is_demo(self) -> bool:
        """True when the target is the embedded demo store."""
        return self.base_url == DEMO

    def secret(self, name: str) -> Optional[str]:
        """A secret's value: its configured env var, its default, else the env var of that name."""
        source = self.secrets.get(name)
        if source is None:
            return os.environ.get(name)
        return os.environ.get(source.env, source.default)


def load_target(path: str | Path | None) -> Target:
    """Load a target config; None means config/demo.yaml if present, else the built-in demo."""
    if path is None:
        default = Path("config/demo.yaml")
        if not default.exists():
            return Target(name="demo")
        path = default
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"target config {path} not found; the shipped ones are in config/ (demo.yaml, example.yaml)")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a target config is a mapping (base_url: ..., browser: ...)")
    try:
        target = Target(**data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
    target.source = str(path)
    return target


def resolve_executable(setting: str, playwright_path: str | None) -> str | None:
    """Browser binary to launch: None lets Playwright use its own browser."""
    override = os.environ.get("CHECKOUT_TESTER_BROWSER")
    if override:
        return override
    if setting != "auto":
        return setting
    if playwright_path and Path(playwright_path).exists():
        return None
    if Path(DEBIAN_CHROMIUM).exists():
        return DEBIAN_CHROMIUM
    raise ConfigError(
        "no browser found: Playwright's Chromium is not installed and /usr/bin/chromium is missing; "
        "run `make setup` (installs Debian's chromium) or set browser.executable in the target config"
    )
