"""Target configs: where the store is, which browser, timeouts, and where secrets come from."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from checkout_tester.base.errors import ConfigError
from checkout_tester.flow.detector_policy import DetectorSettings
from checkout_tester.flow.effects import Effect
from checkout_tester.flow.step_arguments import Duration, parse_duration_ms
from checkout_tester.target import remote_settings as remote

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
    connect: Optional[str] = Field(None, description="ws:// endpoint of a Playwright browser server "
                                                     "(playwright run-server, Browserless) instead of a local launch")
    cdp: Optional[str] = Field(None, description="Chrome DevTools endpoint (http:// or ws://: a Chromium with "
                                                 "--remote-debugging-port, Selenium Grid 4) instead of a local launch")
    headers: dict[str, str] = Field(default_factory=dict, description="sent when connecting; values are secret, "
                                                                      "e.g. Authorization: Bearer {{ secret.TOKEN }}")
    expose_network: Optional[str] = Field(None, description="connect: hosts of this machine the remote browser "
                                                            "may reach, e.g. <loopback>")

    @field_validator("connect")
    @classmethod
    def _connect(cls, value: Optional[str]) -> Optional[str]:
        return remote.check_endpoint("connect", value)

    @field_validator("cdp")
    @classmethod
    def _cdp(cls, value: Optional[str]) -> Optional[str]:
        return remote.check_endpoint("cdp", value)

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        return remote.check_headers(value)

    @model_validator(mode="after")
    def _one_way(self) -> BrowserSettings:
        remote.check_one_way(self, self.model_fields_set)  # local launch, connect or cdp: exactly one
        return self

    @property
    def remote(self) -> Optional[str]:
        """'connect' or 'cdp' when the browser is not launched here, else None."""
        return "connect" if self.connect else "cdp" if self.cdp else None


class Timeouts(_Strict):
    step: Duration = "10s"
    navigation: Duration = "20s"
    expect: Duration = "10s"

    @field_validator("step", "navigation", "expect")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        parse_duration_ms(value)  # '10 parsecs' is an error when the target loads, not when a step waits
        return value

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

    @field_validator("clock_skew")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        parse_duration_ms(value)
        return value

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
    testid_attribute: str = Field("data-testid", description="attribute `testid:` locators read (data-test, data-qa ...)")
    storage_state: Optional[str] = Field(None, description="saved storage state (cookies, localStorage) every flow starts from")
    production: bool = Field(False, description="a live store with real shoppers: flows whose effects are not "
                                                "allowed are refused before anything runs (preflight)")
    allow_effects: list[Effect] = Field(default_factory=list, description="effects a production target allows")
    source: str = Field("<built-in demo>", exclude=True)
    _lines: dict[Any, int] = PrivateAttr(default_factory=dict)  # node path -> line in the file (target/config_file.py)
    _given: dict[str, str] = PrivateAttr(default_factory=dict)  # --secret NAME=VALUE: wins over the environment
    _masked: list[str] = PrivateAttr(default_factory=list)  # other values given on the command line that are secret

    def where(self, *path: Any) -> str:
        """`file:line` of a key in the target config (its parent's line when absent), for messages."""
        while path and path not in self._lines:
            path = path[:-1]
        return f"{self.source}:{self._lines.get(path, 1)}"

    @field_validator("testid_attribute")
    @classmethod
    def _attribute_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z_:][-\w.:]*", value):
            raise ValueError(f"{value!r} is not an attribute name; e.g. testid_attribute: data-test")
        return value

    @field_validator("budgets")
    @classmethod
    def _budgets(cls, value: dict[str, Any]) -> dict[str, Any]:
        from checkout_tester.flow.budgets import budget_problems  # budgets imports stepargs, as this module does

        problems = budget_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @property
    def is_demo(self) -> bool:
        """True when the target is the embedded demo store."""
        return self.base_url == DEMO

    def secret(self, name: str) -> Optional[str]:
        """A secret's value: given on the command line, else its configured env var, its default, else the env var
        of that name."""
        if name in self._given:
            return self._given[name]
        source = self.secrets.get(name)
        if source is None:
            return os.environ.get(name)
        return os.environ.get(source.env, source.default)

    def give_secret(self, name: str, value: str) -> None:
        """Set `secret.NAME` for this run (`--secret NAME=VALUE`); masked everywhere like any secret."""
        self._given[name] = value

    def mask(self, value: str) -> None:
        """Treat a value given for this run (a `--var` whose name is listed under `secrets:`) as a secret."""
        self._masked.append(value)

    def secret_values(self) -> list[str]:
        """Every secret value this target knows before a flow runs: mapped, given on the command line, masked,
        and the remote browser's header values."""
        names = [*self.secrets, *self._given]
        headers = remote.rendered_headers(self.browser.headers, self.secret, missing_ok=True).values()
        return [value for value in (*(self.secret(name) for name in names), *self._masked, *headers) if value]

    def browser_endpoint(self) -> str:
        """The remote browser's endpoint with its `{{ secret.X }}` filled in ('' for a local browser)."""
        return remote.render(self.browser.connect or self.browser.cdp or "", self.secret)

    def browser_headers(self) -> dict[str, str]:
        """The headers sent to the remote browser, their `{{ secret.X }}` filled in."""
        return remote.rendered_headers(self.browser.headers, self.secret)


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
