"""Checkout pages: shipping details, payment page, order confirmation."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from checkout_tester.demostore.db import format_money
from checkout_tester.demostore.orders import COUNTRIES, SHIPPING, CartLine, cart_total, get_order
from checkout_tester.demostore.web import (
    checkout_lines,
    ctx,
    current_lines,
    current_user,
    is_valid_email,
    missing_message,
)

bp = Blueprint("checkout", __name__)

# form field -> label, in page order (the 'Please fill in' message follows it)
FIELDS: list[tuple[str, str]] = [
    ("email", "Email"),
    ("full_name", "Full name"),
    ("address", "Address"),
    ("city", "City"),
    ("postal_code", "Postal code"),
    ("country", "Country"),
]


@dataclass
class Summary:
    """What the shopper is about to pay for."""

    lines: list[CartLine]
    details: dict[str, str]
    subtotal_cents: int
    shipping_label: str
    shipping_cents: int

    @property
    def total_cents(self) -> int:
        """Total including shipping."""
        return self.subtotal_cents + self.shipping_cents

    @property
    def total(self) -> str:
        """Total formatted."""
        return format_money(self.total_cents)


def payment_summary() -> Summary | None:
    """The pending purchase, or None if the cart is empty or shipping details are missing."""
    details = session.get("checkout")
    lines = checkout_lines()
    if not lines or not details or details.get("shipping_method") not in SHIPPING:
        return None
    label, shipping_cents = SHIPPING[details["shipping_method"]]
    return Summary(lines, details, cart_total(lines), label, shipping_cents)


def _empty_cart_redirect() -> ResponseReturnValue:
    """Back to the cart with the empty-cart alert."""
    flash("Your cart is empty.", "error")
    return redirect(url_for("catalog.cart"))


def _form_error(values: dict[str, str]) -> str | None:
    """First problem with the shipping form."""
    missing = [label for key, label in FIELDS if not values.get(key)]
    if missing:
        return missing_message(missing)
    if not is_valid_email(values["email"]):
        return "Please enter a valid email address."
    if values["country"] not in COUNTRIES:
        return "Please choose a country from the list."
    if values["shipping_method"] not in SHIPPING:
        return "Please choose a shipping method."
    return None


@bp.route("/checkout", methods=["GET", "POST"])
def checkout() -> ResponseReturnValue:
    """Order summary and shipping form (guests welcome)."""
    if not current_lines():
        return _empty_cart_redirect()
    lines = checkout_lines()
    error = None
    if request.method == "POST":
        values = {key: request.form.get(key, "").strip() for key, _ in FIELDS}
        values["shipping_method"] = request.form.get("shipping_method", "standard")
        error = _form_error(values)
        if error is None:
            session["checkout"] = values
            return redirect(url_for("checkout.payment"))
    else:
        user = current_user()
        values = dict(session.get("checkout") or {"country": COUNTRIES[0], "shipping_method": "standard"})
        if user is not None and not values.get("email"):
            values["email"] = user["email"]
    return render_template(
        "checkout.html", lines=lines, total=format_money(cart_total(lines)), values=values,
        countries=COUNTRIES, shipping=SHIPPING, error=error,
        unlabelled=ctx().faults.active("unlabelled-field"),
    )


@bp.get("/checkout/payment")
def payment() -> ResponseReturnValue:
    """Payment page: card iframe and WalletPay popup."""
    if not current_lines():
        return _empty_cart_redirect()
    summary = payment_summary()
    if summary is None:
        flash("Please enter your shipping details first.", "status")
        return redirect(url_for("checkout.checkout"))
    token = session.get("pay_token")
    if not token:
        token = secrets.token_urlsafe(16)
        session["pay_token"] = token
    wallet_url = ctx().wallet_url
    origin = request.host_url.rstrip("/")
    authorize_url = f"{wallet_url}/authorize?" + urlencode(
        {"session": token, "amount": summary.total_cents, "origin": origin})
    card_src = url_for("payments.card_frame", session=token, amount=summary.total_cents)
    return render_template(
        "payment.html", summary=summary, token=token, authorize_url=authorize_url, card_src=card_src,
        wallet_origin=wallet_url, js_broken=ctx().faults.active("checkout-js-error"), js_alert=True,
    )


@bp.get("/orders/<number>")
def order(number: str) -> ResponseReturnValue:
    """Order confirmation, visible to the session that placed it or its account."""
    placed = get_order(ctx().db, number)
    user = current_user()
    if placed is None:
        abort(404)
    mine = number in session.get("orders", []) or (user is not None and placed.user_id == user["id"])
    if not mine:
        abort(404)
    return render_template("order.html", order=placed)
