"""Catalog and cart pages: home, search, product detail, cart."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from checkout_tester.demostore.db import format_money
from checkout_tester.demostore.orders import add_to_cart, cart_total, remove_from_cart, set_quantity
from checkout_tester.demostore.web import cart_id, ctx, current_lines, parse_quantity

bp = Blueprint("catalog", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    """Home page with search and every product."""
    return render_template("home.html", products=ctx().db.products())


@bp.get("/search")
def search() -> ResponseReturnValue:
    """Products matching ?q=."""
    query = request.args.get("q", "").strip()
    products = ctx().db.search(query) if query else []
    return render_template("search.html", query=query, products=products)


@bp.route("/products/<slug>", methods=["GET", "POST"])
def product(slug: str) -> ResponseReturnValue:
    """Product page; POST adds it to the cart."""
    item = ctx().db.product(slug)
    if item is None:
        abort(404)
    if request.method == "GET":
        return render_template("product.html", product=item, quantity="1", renamed=_renamed())
    raw = request.form.get("quantity", "")
    quantity = parse_quantity(raw)
    if quantity is None or quantity < 1:
        error: str | None = "Please enter a quantity of at least 1."
    else:
        error = add_to_cart(ctx().db, cart_id(create=True) or "", item, quantity)
    if error:
        # re-read so 'In stock' is current after another shopper's order
        item = ctx().db.product(slug) or item
        return render_template("product.html", product=item, quantity=raw, error=error, renamed=_renamed())
    flash(f"Added {item.name} to your cart.", "status")
    return redirect(url_for("catalog.cart"))


@bp.get("/cart")
def cart() -> ResponseReturnValue:
    """The cart with per-line update/remove."""
    lines = current_lines()
    return render_template("cart.html", lines=lines, total=format_money(cart_total(lines)))


def _renamed() -> bool:
    """The `renamed-button` fault: the shop renamed its button, as live stores do between releases."""
    return ctx().faults.active("renamed-button")


def _product_id() -> int | None:
    """Product id posted by a cart row form."""
    return parse_quantity(request.form.get("product_id"))


@bp.post("/cart/update")
def cart_update() -> ResponseReturnValue:
    """Change one line's quantity (0 removes it)."""
    cid, pid = cart_id(), _product_id()
    if cid and pid is not None:
        quantity = parse_quantity(request.form.get("quantity"))
        if quantity is None or quantity < 0:
            flash("Please enter a quantity of at least 1.", "error")
        else:
            error = set_quantity(ctx().db, cid, pid, quantity)
            product = ctx().db.product_by_id(pid)
            if error:
                flash(error, "error")
            elif product and quantity == 0:
                flash(f"Removed {product.name} from your cart.", "status")
            elif product:
                flash(f"Updated {product.name} quantity to {quantity}.", "status")
    return redirect(url_for("catalog.cart"))


@bp.post("/cart/remove")
def cart_remove() -> ResponseReturnValue:
    """Remove one line."""
    cid, pid = cart_id(), _product_id()
    if cid and pid is not None:
        remove_from_cart(ctx().db, cid, pid)
        product = ctx().db.product_by_id(pid)
        if product:
            flash(f"Removed {product.name} from your cart.", "status")
    return redirect(url_for("catalog.cart"))
