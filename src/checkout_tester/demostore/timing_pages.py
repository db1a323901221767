"""Pages for timing and navigation tests: a fetch basket, a client-routed mini app, a POST-redirect form, any status.

Delay any of them with the `slow:PATH:MS` fault on its path, e.g. `slow:/timing/api/basket:1500`.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

bp = Blueprint("timing", __name__, url_prefix="/timing")

ORDERS = [("DS-200001", "Blue Mug × 2"), ("DS-200002", "Green Teapot × 1"), ("DS-200003", "Red Kettle × 1")]


@bp.get("/basket")
def basket() -> ResponseReturnValue:
    """A page whose Add button updates the basket with fetch, without a page load."""
    return render_template("timing_basket.html", count=session.get("timing_basket", 0))


@bp.post("/api/basket")
def basket_add() -> ResponseReturnValue:
    """JSON in ({"item": ...}), JSON out ({"count": N}): the basket's new size."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("item"), str):
        return jsonify({"error": 'expected JSON {"item": "..."}'}), 400
    session["timing_basket"] = session.get("timing_basket", 0) + 1
    return jsonify({"count": session["timing_basket"], "item": data["item"]})


@bp.get("/order")
def order_form() -> ResponseReturnValue:
    """A one-button order form that posts to /timing/order/submit."""
    return render_template("timing_order.html")


@bp.post("/order/submit")
def order_submit() -> ResponseReturnValue:
    """The post answers 303 See Other to the confirmation, as real checkouts do (post/redirect/get)."""
    return redirect(url_for("timing.order_done"), code=303)


@bp.get("/order/done")
def order_done() -> ResponseReturnValue:
    """Where the order post lands."""
    return render_template("timing_order_done.html")


@bp.get("/status/<int:code>")
def status(code: int) -> ResponseReturnValue:
    """A page answering CODE; a 3xx redirects to the basket page with that code."""
    if not 200 <= code <= 599:
        abort(404)
    if 300 <= code < 400:
        return redirect(url_for("timing.basket"), code=code)
    return render_template("timing_status.html", code=code), code


@bp.get("/app")
@bp.get("/app/<path:view>")
def mini_app(view: str = "") -> ResponseReturnValue:
    """A client-routed app: one document; its links change the URL with history.pushState."""
    return render_template("timing_app.html")


@bp.get("/api/orders")
def app_orders() -> ResponseReturnValue:
    """The data the mini app's Orders view fetches before it renders."""
    return jsonify({"orders": [{"number": n, "items": i} for n, i in ORDERS]})
