"""Taking payment: the card iframe and finishing card or WalletPay payments into orders."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from flask import Blueprint, jsonify, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from checkout_tester.demostore.checkout import payment_summary
from checkout_tester.demostore.mail import order_confirmation
from checkout_tester.demostore.orders import StockError, create_order, payment, record_payment
from checkout_tester.demostore.web import cart_id, ctx, current_user, remember_order

bp = Blueprint("payments", __name__)

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"
EXPIRED_SESSION = "This payment session has expired. Please reload the page."


def card_error(number: str, expiry: str, cvc: str) -> str | None:
    """Validate test card details; None means the charge is approved."""
    digits = re.sub(r"[\s-]", "", number)
    if digits not in (CARD_OK, CARD_DECLINED):
        return "Your card number is invalid."
    match = re.fullmatch(r"\s*(\d{2})\s*/\s*(\d{2})\s*", expiry)
    if not match or not 1 <= int(match.group(1)) <= 12:
        return "Please enter the expiry date as MM/YY."
    if not re.fullmatch(r"\d{3,4}", cvc.strip()):
        return "Please enter the 3-digit CVC."
    if digits == CARD_DECLINED:
        return "Your card was declined."
    return None


def _token_ok(token: str) -> bool:
    """Whether TOKEN is this session's current payment token."""
    return bool(token) and token == session.get("pay_token")


@bp.route("/pay/card-frame", methods=["GET", "POST"])
def card_frame() -> ResponseReturnValue:
    """The embedded card form (same origin, shown in an iframe like hosted card fields)."""
    token = request.values.get("session", "")
    if not _token_ok(token):
        return render_template("card_frame.html", token=token, error=EXPIRED_SESSION, expired=True)
    if request.method == "GET":
        return render_template("card_frame.html", token=token, form={})
    form = {key: request.form.get(key, "") for key in ("card_number", "expiry", "cvc")}
    summary = payment_summary()
    error = EXPIRED_SESSION if summary is None else card_error(form["card_number"], form["expiry"], form["cvc"])
    if error or summary is None:
        return render_template("card_frame.html", token=token, form=form, error=error)
    record_payment(ctx().db, token, "card", summary.total_cents)
    return render_template("card_frame.html", token=token, approved=True)


def _posted_token() -> str:
    """Payment token from a JSON or form body."""
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        return str(data.get("token", ""))
    return request.form.get("token", "")


def _fail(message: str, status: int) -> ResponseReturnValue:
    """JSON error answer for the payment page script."""
    return jsonify({"ok": False, "error": message}), status


def _already_placed(token: str) -> str | None:
    """Order number if TOKEN already paid for an order of this session (retries are idempotent)."""
    row = payment(ctx().db, token) if token else None
    if row is not None and row["order_number"] and row["order_number"] in session.get("orders", []):
        return str(row["order_number"])
    return None


def _finish(token: str, method: str, paid_cents: int) -> ResponseReturnValue:
    """Turn an approved payment into an order, mail the confirmation, answer with its URL."""
    summary = payment_summary()
    if summary is None:
        return _fail("Your cart is empty.", 400)
    if paid_cents != summary.total_cents:
        return _fail("Your cart changed during payment. Please review your order and pay again.", 409)
    user = current_user()
    try:
        order = create_order(ctx().db, cart_id() or "", summary.lines, summary.details,
                             user["id"] if user is not None else None, token, method)
    except StockError as exc:
        return _fail(str(exc), 409)
    remember_order(order.number)
    session.pop("pay_token", None)
    session.pop("checkout", None)
    subject, body = order_confirmation(order)
    if not ctx().faults.active("no-order-email"):  # the fault: the order stands, the mail never leaves
        ctx().mailer.send(order.email, subject, body)
    return jsonify({"ok": True, "order": order.number,
                    "redirect": url_for("checkout.order", number=order.number)})


@bp.post("/checkout/card/complete")
def card_complete() -> ResponseReturnValue:
    """Called by the payment page after the card iframe reports success."""
    token = _posted_token()
    if (number := _already_placed(token)) is not None:
        return jsonify({"ok": True, "order": number, "redirect": url_for("checkout.order", number=number)})
    if not _token_ok(token):
        return _fail(EXPIRED_SESSION, 400)
    row = payment(ctx().db, token)
    if row is None or row["method"] != "card" or row["order_number"]:
        return _fail("The card payment was not approved.", 402)
    return _finish(token, "card", int(row["amount_cents"]))


def wallet_status(token: str) -> dict[str, Any]:
    """Ask the gateway, server to server, what happened to TOKEN; raises OSError if unreachable."""
    url = f"{ctx().wallet_url}/api/payments/{quote(token, safe='')}"
    try:
        with urllib.request.urlopen(url, timeout=15) as resp:
            return dict(json.load(resp))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return {"status": "unknown"}
        raise


@bp.post("/checkout/wallet/complete")
def wallet_complete() -> ResponseReturnValue:
    """Called by the payment page after the WalletPay popup reports approval."""
    token = _posted_token()
    if (number := _already_placed(token)) is not None:
        return jsonify({"ok": True, "order": number, "redirect": url_for("checkout.order", number=number)})
    if not _token_ok(token):
        return _fail(EXPIRED_SESSION, 400)
    try:
        status = wallet_status(token)
    except (OSError, ValueError):
        return _fail("Wallet payment could not be verified. Please try again.", 502)
    if status.get("status") == "cancelled":
        return _fail("Wallet payment was cancelled.", 402)
    if status.get("status") != "approved":
        return _fail("Wallet payment was not approved.", 402)
    try:
        amount = int(status.get("amount", 0))
    except (TypeError, ValueError):
        return _fail("Wallet payment could not be verified. Please try again.", 502)
    record_payment(ctx().db, token, "wallet", amount)
    return _finish(token, "wallet", amount)
