"""The target's browser, launched here or reached remotely: a Playwright browser server (`connect:`) or a Chrome
DevTools endpoint (`cdp:`). The pytest plugin, Session and the monitor all start it through `starter`."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from playwright.sync_api import Browser, Error as PlaywrightError

from checkout_tester.base.errors import CheckoutTesterError, ConfigError
from checkout_tester.base.redaction import Redactor
from checkout_tester.run.browser import launch_options
from checkout_tester.target.config import Target
from checkout_tester.target.remote_settings import shown_endpoint

CONNECT_TIMEOUT_MS = 30_000  # Playwright's default (0) waits for ever on a server that accepts and never answers


class BrowserUnreachable(CheckoutTesterError):
    """The remote browser did not accept the connection (down, wrong endpoint, refused the headers)."""


def starter(playwright: Any, target: Target, launch: Mapping[str, Any] | None = None,
            browser_type: Any = None) -> Callable[..., Browser]:
    """A function giving a fresh browser on each call: launched with the target's options, or connected to
    its remote one (what RelaunchingBrowser calls again when the connection drops)."""
    browser_type = browser_type or playwright.chromium
    extra = dict(launch or {})  # slow_mo and the like, over the target's
    if target.browser.remote is None:
        options = {**launch_options(target.browser, browser_type.executable_path), **extra}
        return lambda **more: browser_type.launch(**{**options, **more})
    if target.browser.cdp and browser_type.name != "chromium":
        raise ConfigError(f"{target.where('browser', 'cdp')}: browser.cdp reaches Chromium only, not "
                          f"{browser_type.name}; leave out --browser {browser_type.name}, or use connect: to a "
                          f"{browser_type.name} browser server")
    return lambda **more: connect(browser_type, target, slow_mo=more.get("slow_mo", extra.get("slow_mo")))


def connect(browser_type: Any, target: Target, slow_mo: float | None = None) -> Browser:
    """Connect to the target's remote browser; BrowserUnreachable, with secrets masked, when it does not answer."""
    settings = target.browser
    endpoint, headers = target.browser_endpoint(), target.browser_headers()
    try:
        if settings.connect:
            return browser_type.connect(endpoint, headers=headers or None, slow_mo=slow_mo, timeout=CONNECT_TIMEOUT_MS,
                                        expose_network=settings.expose_network)
        return browser_type.connect_over_cdp(endpoint, headers=headers or None, slow_mo=slow_mo,
                                             timeout=CONNECT_TIMEOUT_MS)
    except PlaywrightError as exc:
        shown = shown_endpoint(settings.connect or settings.cdp or "")
        first = next(iter(str(exc).strip().splitlines()), type(exc).__name__)
        reason = Redactor(target.secret_values())(first.replace(endpoint, shown))  # a token in the URL stays out
        way = "connect" if settings.connect else "cdp"
        raise BrowserUnreachable(f"remote browser did not connect: {shown} ({reason}); start it, or fix "
                                 f"browser.{way} or its headers at {target.where('browser', way)}") from None
