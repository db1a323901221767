"""Browser state: set a cookie or a localStorage entry, save the context's storage state to reuse it."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from checkout_tester.run.steps.registry import StepContext, handler

_NOT_A_PAGE = ("about:", "data:", "chrome-error:")


def _cookie(ctx: StepContext, args: Any) -> dict[str, Any]:
    """The cookie as Playwright's add_cookies takes it: for a URL, or for a domain and path."""
    cookie: dict[str, Any] = {"name": args.name, "value": args.value}
    if args.domain is not None:
        cookie.update(domain=args.domain, path=args.path or "/")
    else:
        here = ctx.page.url if not ctx.page.url.startswith(_NOT_A_PAGE) else ""
        base = ctx.runner.base_url or here
        url = urljoin(base, args.url) if args.url else (here or base)
        if not url.startswith(("http://", "https://")):
            raise AssertionError(f"set_cookie {args.name}: no URL to set it for ({url or 'no base URL'}); "
                                 "give url: https://shop.example/ or domain:, or goto a page of the store first")
        cookie["url"] = url
    for key, name in (("secure", "secure"), ("http_only", "httpOnly"), ("same_site", "sameSite"),
                      ("expires", "expires")):
        if getattr(args, key) is not None:
            cookie[name] = getattr(args, key)
    return cookie


@handler("set_cookie")
def set_cookie(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"cookie {args.describe()} set in the browser"
    cookie = _cookie(ctx, args)
    ctx.page.context.add_cookies([cookie])  # type: ignore[list-item]  # pages loaded from now on send it
    ctx.notes.append(f"cookie {args.name} = set for {cookie.get('url') or cookie['domain'] + cookie['path']}")


@handler("set_local_storage")
def set_local_storage(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"localStorage {args.key!r} set on the current page's origin"
    if ctx.page.url.startswith(_NOT_A_PAGE):
        raise AssertionError(f"set_local_storage {args.key!r}: no page of the store is open ({ctx.page.url}); "
                             "localStorage belongs to an origin: goto a page of the store first")
    ctx.page.evaluate("([key, value]) => window.localStorage.setItem(key, value)", [args.key, args.value])


@handler("save_storage_state")
def save_storage_state(ctx: StepContext, step: Any, args: Any) -> None:
    ctx.expectation = f"storage state written to {args.path}"
    path = Path(args.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ctx.page.context.storage_state(path=str(path))  # cookies (also HttpOnly) and localStorage of every origin
    ctx.notes.append(f"storage state = {path} (cookies and localStorage; keep it out of version control)")
