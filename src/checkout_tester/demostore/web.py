"""Request helpers shared by the shop's route modules."""
from __future__ import annotations

import re
import secrets
import sqlite3
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, g, session

from checkout_tester.demostore.db import Database
from checkout_tester.demostore.faults import FaultSet
from checkout_tester.demostore.mail import Mailer
from checkout_tester.demostore.orders import CartLine, cart_lines, drop_last_item

# same rule as static/signup.js so browser and server agree
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class StoreContext:
    """Everything a request needs from its DemoStore."""

    db: Database
    faults: FaultSet
    mailer: Mailer
    admin_token: str
    wallet_url: str


def ctx() -> StoreContext:
    """The StoreContext of the current app."""
    return current_app.extensions["demostore"]


def cart_id(create: bool = False) -> str | None:
    """This session's cart id, minted on first use when CREATE."""
    value = session.get("cart_id")
    if value is None and create:
        value = secrets.token_hex(16)
        session["cart_id"] = value
    return value


def current_lines() -> list[CartLine]:
    """The lines of this session's cart as shown on /cart."""
    cid = cart_id()
    return cart_lines(ctx().db, cid) if cid else []


def checkout_lines() -> list[CartLine]:
    """The cart as checkout sees it (the cart-drops-items fault applies here only)."""
    lines = current_lines()
    if ctx().faults.active("cart-drops-items"):
        lines = drop_last_item(lines)
    return lines


def current_user() -> sqlite3.Row | None:
    """The logged-in user row, cached per request."""
    if "user" not in g:
        uid = session.get("user_id")
        g.user = ctx().db.user_by_id(uid) if uid is not None else None
    return g.user


def is_valid_email(text: str) -> bool:
    """Loose email syntax check."""
    return bool(EMAIL_RE.fullmatch(text))


def parse_quantity(text: str | None) -> int | None:
    """Whole number from a form field, or None."""
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def missing_message(labels: list[str]) -> str:
    """The 'Please fill in: A, B' message."""
    return "Please fill in: " + ", ".join(labels)


def safe_next(url: str | None) -> str | None:
    """A same-site path like '/account', or None: anything a browser could read as another host is refused."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return None
    # Browsers drop tabs and newlines from URLs ('/\t/evil' becomes '//evil'), and a newline in a
    # Location header is an error: refuse any control character or whitespace outright.
    if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in url):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return url


def remember_order(number: str) -> None:
    """Let this session view the order it just placed."""
    orders = list(session.get("orders", []))
    orders.append(number)
    session["orders"] = orders[-20:]
