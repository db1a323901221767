"""A target's remote browser settings: endpoint forms, headers that read secrets, and filling those in."""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any, Optional
from urllib.parse import urlsplit

from checkout_tester.base.errors import ConfigError
from checkout_tester.flow import templates

SCHEMES = {"connect": ("ws", "wss"), "cdp": ("http", "https", "ws", "wss")}
EXAMPLES = {"connect": "connect: ws://browsers.example:3000/ (playwright run-server, Browserless: wss://...?token=...)",
            "cdp": "cdp: http://127.0.0.1:9222 (a Chromium started with --remote-debugging-port=9222, "
                   "or Selenium Grid's ws://grid:4444/session/<id>/se/cdp)"}
LOCAL_ONLY = ("executable", "headless", "args")  # what only a browser launched here can take
SECRETS_ONLY = "templates here read secrets only: write {{ secret.NAME }} and map NAME under secrets:"


def check_endpoint(key: str, value: Optional[str]) -> Optional[str]:
    """The endpoint when its scheme fits `key` (connect: ws, cdp: http or ws); ValueError with the fix otherwise."""
    if value is None:
        return None
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018  raises on a port that is not a number
    except ValueError:
        raise ValueError(f"'{value}' has a port that is not a number; write it like {EXAMPLES[key]}") from None
    if parts.scheme not in SCHEMES[key] or not parts.hostname:
        other = "cdp" if key == "connect" else "connect"
        also = f" (an {parts.scheme}:// endpoint is a DevTools one: use cdp:)" \
            if key == "connect" and parts.scheme in ("http", "https") else ""
        raise ValueError(f"'{value}' is not a {' or '.join(s + '://' for s in SCHEMES[key])} URL{also}; "
                         f"write it like {EXAMPLES[key]}, or use {other}: for the other kind of endpoint")
    _check_template(value)
    return value


def check_headers(headers: dict[str, str]) -> dict[str, str]:
    """Header values whose templates read nothing but secrets."""
    for value in headers.values():
        _check_template(value)
    return headers


def _check_template(text: str) -> None:
    names, problem = templates.analyse(text)
    if problem is not None:
        raise ValueError(f"{problem.message}; {problem.hint}")
    for name in names:
        if not name.startswith("secret."):
            raise ValueError(f"'{text}' reads {name}; {SECRETS_ONLY}")


def check_one_way(settings: Any, given: Collection[str]) -> None:
    """Exactly one of: launch here (executable, headless, args), connect:, cdp:; headers only with one of the two."""
    if settings.connect and settings.cdp:
        raise ValueError("connect and cdp are both given; keep one: connect: for a Playwright browser server, "
                         "cdp: for a Chrome DevTools endpoint")
    way = "connect" if settings.connect else "cdp" if settings.cdp else None
    if way is None:
        extra = [key for key in ("headers", "expose_network") if key in given]
        if extra:
            raise ValueError(f"{', '.join(extra)} only apply to a remote browser; add connect: or cdp:, "
                             f"or remove {', '.join(extra)}")
        return
    local = [key for key in LOCAL_ONLY if key in given]
    if local:
        raise ValueError(f"{', '.join(local)} launch a browser here, but {way}: uses a remote one; remove "
                         f"{', '.join(local)} (the remote side decides them) or remove {way}:")
    if way == "cdp" and settings.expose_network:
        raise ValueError("expose_network works with connect: only (a Playwright browser server); remove it")


def secret_names(text: str) -> list[str]:
    """The secrets a header value or endpoint reads (`{{ secret.NAME }}` -> NAME)."""
    names, _problem = templates.analyse(text)
    return [name.partition(".")[2] for name in names if name.startswith("secret.")]


def render(text: str, secret: Callable[[str], Optional[str]]) -> str:
    """`text` with its `{{ secret.NAME }}` filled in; ConfigError naming a secret that has no value."""
    if not templates.is_template(text):
        return text

    def resolve(name: str) -> str:
        value = secret(name)
        if value is None:
            raise ConfigError(f"secret {name} has no value; export the variable the target maps it to")
        return value

    return str(templates.compiled(text).render({"secret": templates.Namespace("secret", resolve)}))


def rendered_headers(headers: Mapping[str, str], secret: Callable[[str], Optional[str]],
                     missing_ok: bool = False) -> dict[str, str]:
    """Header name -> value with secrets filled in; with `missing_ok`, headers lacking a secret are left out."""
    return dict(_rendered(headers, secret, missing_ok))


def _rendered(headers: Mapping[str, str], secret: Callable[[str], Optional[str]],
              missing_ok: bool) -> Iterator[tuple[str, str]]:
    for name, value in headers.items():
        try:
            yield name, render(value, secret)
        except ConfigError:
            if not missing_ok:
                raise


def shown_endpoint(endpoint: str) -> str:
    """An endpoint as it may be shown: no query (Browserless-style ?token=) and no user:password@."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
