"""Pages that exercise the detectors: framework-style form errors, dialogs, live regions, broken assets.

Their error wording matches none of the demo target's `error_patterns` on purpose: only the markup says
it is an error. See the "Detector pages" section of demostore/README.md.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.security import generate_password_hash

from checkout_tester.demostore.accounts import MIN_PASSWORD, normalize_email
from checkout_tester.demostore.web import ctx, is_valid_email

bp = Blueprint("detect_pages", __name__, url_prefix="/detect")

STYLES = ("django", "bootstrap", "rails", "aria", "html5")  # /detect/signup/<style>
REQUIRED = "This field is required."
TAKEN = "An account with this email already exists."
SHORT = f"Ensure this value has at least {MIN_PASSWORD} characters."
NOT_AN_EMAIL = "That does not look like an email address."
LOCKED_OUT = "Epic sadface: Sorry, this user has been locked out."
NO_MATCH = "Epic sadface: Username and password do not match any user in this service"
USERS = {"standard_user": "ok", "locked_out_user": "locked"}  # /detect/login, password secret_sauce


@bp.app_context_processor
def fault_flags() -> dict[str, Any]:
    """Whether the cart asks before removing a line (fault cart-confirm-remove)."""
    return {"confirm_remove": ctx().faults.active("cart-confirm-remove")}


def field_errors(email: str, password: str) -> dict[str, str]:
    """The problems with a signup form, by field, in Django's wording (none match the demo's error_patterns)."""
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = REQUIRED
    elif not is_valid_email(email):
        errors["email"] = NOT_AN_EMAIL
    if not password:
        errors["password"] = REQUIRED
    elif len(password) < MIN_PASSWORD:
        errors["password"] = SHORT
    return errors


@bp.route("/signup/<style>", methods=["GET", "POST"])
def signup(style: str) -> ResponseReturnValue:
    """A signup form whose errors are shown the way one framework shows them."""
    if style not in STYLES:
        abort(404)
    email = request.form.get("email", "").strip()
    errors: dict[str, str] = {}
    if request.method == "POST":
        password = request.form.get("password", "")
        errors = field_errors(email, password)
        if not errors:
            user_id = ctx().db.create_user(normalize_email(email), generate_password_hash(password))
            if user_id is not None:
                session["user_id"] = user_id
                flash("Your account has been created.", "status")
                return redirect(url_for("accounts.account"))
            errors["email"] = TAKEN
    return render_template("detect/signup.html", style=style, email=email, errors=errors)


@bp.get("/login")
def login() -> ResponseReturnValue:
    """A single-page login in the style of saucedemo.com: the error is drawn by script, no navigation."""
    return render_template("detect/login.html", users=USERS, locked=LOCKED_OUT, no_match=NO_MATCH)


@bp.get("/inventory")
def inventory() -> ResponseReturnValue:
    """Where a successful /detect/login lands."""
    return render_template("detect/inventory.html")


@bp.get("/coupon")
def coupon() -> ResponseReturnValue:
    """Coupons and gift cards: alert, prompt, confirm, a polite live region and success messages."""
    return render_template("detect/coupon.html")


@bp.get("/notes")
def notes() -> ResponseReturnValue:
    """A note that asks before the shopper leaves with unsaved text (beforeunload)."""
    return render_template("detect/notes.html")


@bp.get("/gallery")
def gallery() -> ResponseReturnValue:
    """A page with a missing image (404), an image that does not decode and a missing stylesheet (404)."""
    return render_template("detect/gallery.html", broken=request.args.get("broken", "1") != "0")


@bp.get("/not-an-image.png")
def not_an_image() -> ResponseReturnValue:
    """Answers 200 with an image type but bytes no browser can decode (zero natural size)."""
    return b"this is not a PNG", 200, {"Content-Type": "image/png"}


@bp.get("/pixel.svg")
def pixel() -> ResponseReturnValue:
    """A good image, so the gallery is not all broken."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#1f5fbf"/></svg>'
    return svg, 200, {"Content-Type": "image/svg+xml"}
