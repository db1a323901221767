"""Document navigations as requests: the redirect chain behind a page, and `goto`'s `expect_status`."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable

from playwright.sync_api import Error as PlaywrightError

from checkout_tester.base import failure_classes as classes

if TYPE_CHECKING:
    from checkout_tester.flow.model import Step


class StatusMismatch(AssertionError):
    """`goto` got another HTTP status than its `expect_status`."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        if status >= 500:
            self.failure_class = classes.SERVER_ERROR
        elif status >= 400:
            self.failure_class = classes.REQUEST_FAILED
        else:
            self.failure_class = classes.CONTENT_MISSING


def request_chain(request: Any) -> list[Any]:
    """The requests of one navigation, first (e.g. the form post) to last (the page it landed on)."""
    chain: list[Any] = []
    while request is not None:
        chain.insert(0, request)
        request = request.redirected_from
    return chain


def _status(request: Any) -> int | None:
    try:
        response = request.response()  # a redirect's answer: one round trip, only for redirected navigations
    except PlaywrightError:
        return None
    return response.status if response is not None else None


def chain_hops(chain: list[Any], seen: Mapping[int, int] | None = None) -> list[dict[str, Any]]:
    """Each redirect of a chain: its request, the status it answered (`seen`: id(request) -> status, as the
    response events told it; else asked) and where it sent the browser."""
    seen = seen or {}
    return [{"method": r.method, "url": r.url, "status": seen[id(r)] if id(r) in seen else _status(r), "to": nxt.url}
            for r, nxt in zip(chain, chain[1:], strict=False)]


def chain_text(chain: list[Any], hops: list[dict[str, Any]]) -> str:
    """`POST http://h/checkout -> 303 http://h/checkout/payment`; '' for a plain GET without redirects."""
    if not chain or (len(chain) == 1 and chain[0].method == "GET"):
        return ""
    text = f"{chain[0].method} {chain[0].url}"
    for hop in hops:
        text += f" -> {hop['status'] or '?'} {hop['to']}"
    return text


def check_status(excuse: Callable[[Any, Step, str], None], step: Step, response: Any, expected: int) -> None:
    """Fail unless the navigation answered `expected` (a 3xx: one of its redirects did); excuse that answer."""
    if response is None:
        raise StatusMismatch(f"expected HTTP {expected}, but the navigation got no response "
                             "(a same-page link, e.g. #section, loads nothing)", 0)
    chain = request_chain(response.request)
    hops = chain_hops(chain) if len(chain) > 1 else []
    statuses = [h["status"] for h in hops] + [response.status]
    if response.status == expected or (300 <= expected < 400 and expected in statuses):
        excuse(response, step, f"the step expects HTTP {expected}")
        return
    route = "".join(f" -> {h['status']} {h['to']}" for h in hops)
    via = f" (from {chain[0].method} {chain[0].url}{route})" if hops else ""
    raise StatusMismatch(f"expected HTTP {expected} from {response.url}, got {response.status}{via}", response.status)


def has_fired(page: Any, state: str) -> bool:
    """Whether the page's current document has fired `state` ("domcontentloaded", "load"), from what Playwright
    already knows (no round trip). Waiting for a state that has fired still costs three messages to the driver
    (Playwright logs every wait), so callers ask this first; False where the private record is missing."""
    states = getattr(getattr(getattr(page, "main_frame", None), "_impl_obj", None), "_load_states", None)
    return isinstance(states, (set, frozenset, list)) and state in states
