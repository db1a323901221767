""""Swag Labs": a small single-page-style shop under /format/ with `data-test` attributes, a login that
refuses a locked-out user, a localStorage cart, a cookie banner and a preferences page reading cookies.
It exercises the flow format's locators, counts, attributes, values, cookies and storage state."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

bp = Blueprint("format_pages", __name__, url_prefix="/format")

PASSWORD = "secret_sauce"
USERS = ("standard_user", "locked_out_user")
LOCKED = "Epic sadface: Sorry, this user has been locked out."
NO_MATCH = "Epic sadface: Username and password do not match any user in this service"
API_TOKEN = "demo-api-token-7f3k"  # the token /format/preferences accepts in its api_token cookie
ITEMS = [
    {"slug": "backpack", "name": "Sauce Labs Backpack", "price": "$29.99"},
    {"slug": "bike-light", "name": "Sauce Labs Bike Light", "price": "$9.99"},
    {"slug": "bolt-t-shirt", "name": "Sauce Labs Bolt T-Shirt", "price": "$15.99"},
    {"slug": "fleece-jacket", "name": "Sauce Labs Fleece Jacket", "price": "$49.99"},
    {"slug": "onesie", "name": "Sauce Labs Onesie", "price": "$7.99"},
    {"slug": "red-t-shirt", "name": "Test.allTheThings() T-Shirt (Red)", "price": "$15.99"},
]
_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120">'
        '<rect width="120" height="120" fill="#e2231a"/><text x="60" y="66" font-size="14" text-anchor="middle" '
        'fill="#fff">{name}</text></svg>')


def _values() -> dict[str, object]:
    return {"consented": request.cookies.get("consent") == "accepted", "items": ITEMS}


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Username and password; locked_out_user is refused with Sauce Labs' wording."""
    if request.method == "GET":
        return render_template("format/login.html", error=None, username="", **_values())
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if username not in USERS or password != PASSWORD:
        return render_template("format/login.html", error=NO_MATCH, username=username, **_values())
    if username == "locked_out_user":
        return render_template("format/login.html", error=LOCKED, username=username, **_values())
    session["format_user"] = username
    return redirect(url_for("format_pages.inventory"))


@bp.get("/inventory")
def inventory() -> ResponseReturnValue:
    """The product list (needs a login): six items with images, links and Add to cart buttons."""
    if not session.get("format_user"):
        return redirect(url_for("format_pages.login"))
    return render_template("format/inventory.html", user=session["format_user"], **_values())


@bp.get("/item/<slug>")
def item(slug: str) -> ResponseReturnValue:
    """One product."""
    found = next((i for i in ITEMS if i["slug"] == slug), None)
    if found is None:
        abort(404)
    return render_template("format/item.html", item=found, **_values())


@bp.get("/img/<slug>.svg")
def image(slug: str) -> ResponseReturnValue:
    """A product picture."""
    found = next((i for i in ITEMS if i["slug"] == slug), None)
    if found is None:
        abort(404)
    return _SVG.format(name=found["slug"]), 200, {"Content-Type": "image/svg+xml"}


@bp.get("/cart")
def cart() -> ResponseReturnValue:
    """The cart, drawn by script from localStorage a moment after the page loads (as a client-side app)."""
    return render_template("format/cart.html", **_values())


@bp.get("/preferences")
def preferences() -> ResponseReturnValue:
    """What the store read from its cookies: currency, and whether the api_token cookie is accepted."""
    token = request.cookies.get("api_token")
    status = "missing" if token is None else "accepted" if token == API_TOKEN else "rejected"
    return render_template("format/preferences.html", currency=request.cookies.get("currency", "USD"),
                           token_status=status, token=token or "", **_values())


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Forget the login."""
    session.pop("format_user", None)
    return redirect(url_for("format_pages.login"))
