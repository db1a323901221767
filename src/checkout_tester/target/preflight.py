"""Checks of a target against the flows about to run, before any browser starts.

Every problem is one line naming the file:line (or the option) and the fix, so a run that can't work stops
with them all at once (exit code 2) instead of failing N tests one timeout at a time.
"""
from __future__ import annotations

import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from checkout_tester.flow import effects as flow_effects
from checkout_tester.flow.model import Flow, Source, Step
from checkout_tester.target import remote_settings
from checkout_tester.target.config import Target

__all__ = ["Use", "check", "check_base_url", "check_browser", "check_effects", "check_mail", "check_secrets", "mail_uses",
           "secret_uses"]

_PORTS = {"ws": 80, "wss": 443, "http": 80, "https": 443}
_NESTED = {"steps", "open"}  # nested steps: checked as steps of their own, at their own lines
ANSWER_TIMEOUT_S = 10.0  # a store that needs longer than this for its home page is not going to pass anyway
_TEMPLATE = re.compile(r"\{[{%](.*?)[}%]\}", re.DOTALL)
_SECRET = re.compile(r"\bsecret\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
MAIL_FIX = ("add mail: {sink: smtp, port: 2525} to the target and point the store's SMTP host/port at "
            "127.0.0.1:2525 (the demo store: --smtp-host 127.0.0.1 --smtp-port 2525), "
            "or read a catcher with mail: {sink: mailpit, url: http://127.0.0.1:8025}")


@dataclass(frozen=True)
class Use:
    """Where a flow uses something (a secret, expect_email): the place and how many more places."""

    source: Source
    more: int = 0

    def __str__(self) -> str:
        return f"{self.source}" + (f" (and {self.more} more)" if self.more else "")


def check(target: Target, flows: Iterable[Flow], base_url: str | None = None, embedded: bool | None = None,
          timeout_s: float = ANSWER_TIMEOUT_S) -> list[str]:
    """Every problem of running `flows` against `target`; empty when the run can start.

    `base_url` is what the run will use (--base-url, else the target's); `embedded`: the run starts the
    embedded demo store (default: the target is `demo` and no --base-url was given)."""
    flows = list(flows)
    url = base_url or target.base_url
    if embedded is None:
        embedded = target.is_demo and not base_url
    problems = check_effects(target, flows) + check_secrets(target, flows) + check_mail(target, flows, embedded)
    if not embedded:
        problems += check_base_url(target, url, from_option=bool(base_url), timeout_s=timeout_s)
    return problems + check_browser(target, timeout_s=timeout_s)


def check_effects(target: Target, flows: Iterable[Flow]) -> list[str]:
    """On a `production: true` target, a line for each flow whose effects (sub-flows' included) are not all allowed."""
    if not target.production:
        return []
    name = "the built-in demo target" if target.source.startswith("<") else f"production target {target.source}"
    allowed = set(target.allow_effects)
    where = target.where("allow_effects" if ("allow_effects",) in target._lines else "production")
    problems = []
    for flow in {f.path: f for f in flows}.values():  # one line per flow, not per variant
        found = flow_effects.effective(flow)
        if found.undeclared:
            file = found.undeclared[0]
            what = "it declares" if file == flow.path else f"it uses {file}, which declares"
            problems.append(f"{flow.source}: refused on {name}: {what} no effects; add effects: [...] to "
                            f"{file} listing what it does to the store (effects: [] if nothing), "
                            "or leave this flow out of the run")
            continue
        refused = [e for e in found.effects if e not in allowed]
        if refused:
            via = [f"{e} (from {found.effects[e]})" if found.effects[e] != flow.path else e for e in refused]
            wanted = ", ".join(e for e in flow_effects.EFFECTS if e in allowed or e in refused)
            problems.append(f"{_line(flow, 'effects')}: refused on {name}: effects not allowed: {', '.join(via)}; "
                            f"allow them with allow_effects: [{wanted}] at {where}, or leave this flow out of the run")
    return problems


def check_secrets(target: Target, flows: Iterable[Flow]) -> list[str]:
    """A line for each `secret.X` the flows use that has no value (names only: values are never shown)."""
    problems = []
    for name, use in secret_uses(flows).items():
        if target.secret(name) is None:
            problems.append(f"{use}: secret {name} has no value; {_secret_fix(target, name)}")
    return problems


def _secret_fix(target: Target, name: str) -> str:
    mapped = target.secrets.get(name)
    if mapped is not None:
        return f"export {mapped.env} (the target maps {name} to it at {target.where('secrets', name)})"
    if target.source.startswith("<"):
        return f"export {name}, or map it in a target config: secrets: {{{name}: {{env: MY_{name}}}}}"
    return (f"map it in {target.source} under secrets: {{{name}: {{env: MY_{name}}}}} and export "
            f"MY_{name}, or export {name}")


def check_browser(target: Target, timeout_s: float = ANSWER_TIMEOUT_S) -> list[str]:
    """For a remote browser (browser.connect / cdp): a line per secret it reads that has no value, else one when
    the endpoint does not answer (a DevTools http:// endpoint: its /json/version, as Playwright asks it)."""
    way = target.browser.remote
    if way is None:
        return []
    raw = target.browser.connect or target.browser.cdp or ""
    places = [((way,), raw), *((("headers", name), value) for name, value in target.browser.headers.items())]
    problems = [f"{target.where('browser', *key)}: secret {name} has no value; {_secret_fix(target, name)}"
                for key, text in places for name in remote_settings.secret_names(text) if target.secret(name) is None]
    if problems:
        return problems
    parts = urlsplit(target.browser_endpoint())
    try:
        if parts.scheme in ("http", "https"):
            url = target.browser_endpoint().rstrip("/") + "/json/version"
            with urllib.request.urlopen(urllib.request.Request(url, headers=target.browser_headers()),
                                        timeout=timeout_s) as response:
                response.read(1)
        else:
            socket.create_connection((parts.hostname, parts.port or _PORTS[parts.scheme]), timeout=timeout_s).close()
    except urllib.error.HTTPError as exc:
        return [f"{remote_settings.shown_endpoint(raw)} is not a Chrome DevTools endpoint (/json/version answered "
                f"{exc.code}); fix browser.cdp at {target.where('browser', way)}, e.g. {remote_settings.EXAMPLES['cdp']}"]
    except (urllib.error.URLError, OSError, ValueError) as exc:
        cause = getattr(exc, "reason", exc)
        reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else cause
        return [f"remote browser unreachable: {remote_settings.shown_endpoint(raw)} did not answer ({reason}); "
                f"start it or fix browser.{way} at {target.where('browser', way)}"]
    return []


def check_mail(target: Target, flows: Iterable[Flow], embedded: bool) -> list[str]:
    """A line when some flow has expect_email but nothing collects the store's mail."""
    use = mail_uses(flows)
    if use is None or target.mail is not None or embedded:
        return []
    where = "the built-in demo target" if target.source.startswith("<") else target.source
    return [f"{use}: expect_email needs a mail sink and {where} has none; {MAIL_FIX}"]


def check_base_url(target: Target, url: str, from_option: bool = False,
                   timeout_s: float = ANSWER_TIMEOUT_S) -> list[str]:
    """A line when the base URL is not http(s) or the store does not answer a short GET."""
    where = "--base-url" if from_option else target.where("base_url")
    fix = "--base-url" if from_option else f"base_url at {where}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"{where}: base URL '{url}' is not an http(s) URL; write it like https://staging.my-shop.example"]
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=timeout_s) as response:
            response.read(1)
    except urllib.error.HTTPError:
        return []  # any HTTP answer, even 404 or 500, means the store is there; the flows judge the rest
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return [f"store unreachable: {url} did not answer ({reason}); start the store or fix {fix}"]
    return []


def secret_uses(flows: Iterable[Flow]) -> dict[str, Use]:
    """Secret name -> its first use (and how many more) in the flows, their sub-flows, params, vars, variants."""
    found: dict[str, list[Source]] = {}
    for source, text in _texts(flows):
        for match in _TEMPLATE.finditer(text):
            for secret in _SECRET.finditer(match.group(1)):
                found.setdefault(secret.group(1) or secret.group(2), []).append(source)
    return {name: Use(places[0], len(set(places)) - 1) for name, places in found.items()}


def mail_uses(flows: Iterable[Flow]) -> Use | None:
    """The first expect_email step among the flows (and how many more), or None."""
    places = [step.source for flow in flows for step in _steps(flow.steps, set(), True) if step.kind == "expect_email"]
    return Use(places[0], len(set(places)) - 1) if places else None


def _texts(flows: Iterable[Flow]) -> Iterator[tuple[Source, str]]:
    seen: set[str] = set()
    for flow in flows:
        yield from _flow_texts(flow, seen)


def _flow_texts(flow: Flow, seen: set[str]) -> Iterator[tuple[Source, str]]:
    if flow.path in seen:
        return
    seen.add(flow.path)
    for key in ("params", "vars"):
        for name, value in getattr(flow, key).items():
            yield from ((_line(flow, key, name), text) for text in _strings(value))
    for variant in flow.variants:
        yield from ((_line(flow, "variants"), text) for text in _strings(dict(variant.values)))
    for step in _steps(flow.steps, seen, False):  # sub-flows below, with their params and vars
        yield from ((step.source, text) for text in _strings(step.args.model_dump(by_alias=True, exclude_none=True, exclude=_NESTED)))
        if step.subflow is not None:
            yield from _flow_texts(step.subflow, seen)


def _steps(steps: Iterable[Step], seen: set[str], into_subflows: bool) -> Iterator[Step]:
    """Every step, nested ones and popup triggers included; with `into_subflows`, sub-flows' steps (each once)."""
    for step in steps:
        yield step
        yield from _steps(step.children, seen, into_subflows)
        if step.trigger is not None:
            yield from _steps((step.trigger,), seen, into_subflows)
        if into_subflows and step.subflow is not None and step.subflow.path not in seen:
            seen.add(step.subflow.path)
            yield from _steps(step.subflow.steps, seen, into_subflows)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _line(flow: Flow, *path: Any) -> Source:
    """The line of a key in a flow file (params.email), from the loader's parse; the flow's line otherwise."""
    from checkout_tester.flow.loader import node_line

    line = node_line(Path(flow.path), path)
    return Source(flow.path, line) if line else flow.source
