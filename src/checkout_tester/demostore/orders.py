"""Carts, orders, payments and support tickets on top of the store database."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace

from checkout_tester.demostore.db import CATALOG, Database, Product, format_money, now_iso

COUNTRIES = ["United States", "United Kingdom", "Germany", "France", "Canada"]
# method -> (label shown on the page, price in cents)
SHIPPING: dict[str, tuple[str, int]] = {
    "standard": ("Standard shipping", 0),
    "express": ("Express shipping", 900),
}


class StockError(Exception):
    """Raised when an order asks for more than is in stock."""


@dataclass(frozen=True)
class CartLine:
    """One cart (or order) line."""

    id: int
    product_id: int
    slug: str
    name: str
    price_cents: int
    quantity: int
    stock: int = 0

    @property
    def total_cents(self) -> int:
        """Line total in cents."""
        return self.price_cents * self.quantity

    @property
    def total(self) -> str:
        """Line total formatted."""
        return format_money(self.total_cents)

    @property
    def price(self) -> str:
        """Unit price formatted."""
        return format_money(self.price_cents)


@dataclass
class Order:
    """A placed order with its lines."""

    number: str
    email: str
    full_name: str
    address: str
    city: str
    postal_code: str
    country: str
    shipping_method: str
    shipping_cents: int
    subtotal_cents: int
    total_cents: int
    payment_method: str
    created_at: str
    user_id: int | None = None
    items: list[CartLine] = field(default_factory=list)

    @property
    def total(self) -> str:
        """Order total formatted."""
        return format_money(self.total_cents)


def cart_total(lines: list[CartLine]) -> int:
    """Sum of line totals in cents."""
    return sum(line.total_cents for line in lines)


def drop_last_item(lines: list[CartLine]) -> list[CartLine]:
    """The cart-drops-items fault: forget the last-added line (2+ lines), else one unit of the only line."""
    if len(lines) >= 2:
        last = max(lines, key=lambda line: line.id)
        return [line for line in lines if line.id != last.id]
    if len(lines) == 1 and lines[0].quantity > 1:
        return [replace(lines[0], quantity=lines[0].quantity - 1)]
    return list(lines)


def cart_lines(db: Database, cart_id: str) -> list[CartLine]:
    """Lines of a cart in the order they were first added."""
    sql = """SELECT c.id, c.product_id, p.slug, p.name, p.price_cents, c.quantity, p.stock
             FROM cart_items c JOIN products p ON p.id = c.product_id
             WHERE c.cart_id = ? ORDER BY c.id"""
    with db.read() as conn:
        return [CartLine(**dict(r)) for r in conn.execute(sql, (cart_id,))]


def add_to_cart(db: Database, cart_id: str, product: Product, quantity: int) -> str | None:
    """Add QUANTITY of PRODUCT; returns an error message or None."""
    with db.write() as conn:
        row = conn.execute(
            "SELECT quantity FROM cart_items WHERE cart_id = ? AND product_id = ?", (cart_id, product.id)
        ).fetchone()
        stock = conn.execute("SELECT stock FROM products WHERE id = ?", (product.id,)).fetchone()["stock"]
        in_cart = row["quantity"] if row else 0
        if in_cart + quantity > stock:
            return f"Only {stock} left in stock."
        if row:
            conn.execute(
                "UPDATE cart_items SET quantity = ? WHERE cart_id = ? AND product_id = ?",
                (in_cart + quantity, cart_id, product.id),
            )
        else:
            conn.execute(
                "INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (?, ?, ?)",
                (cart_id, product.id, quantity),
            )
    return None


def set_quantity(db: Database, cart_id: str, product_id: int, quantity: int) -> str | None:
    """Set a line's quantity (0 removes it); returns an error message or None."""
    with db.write() as conn:
        row = conn.execute("SELECT stock FROM products WHERE id = ?", (product_id,)).fetchone()
        if row is None:
            return "That product no longer exists."
        if quantity > row["stock"]:
            return f"Only {row['stock']} left in stock."
        if quantity <= 0:
            conn.execute("DELETE FROM cart_items WHERE cart_id = ? AND product_id = ?", (cart_id, product_id))
        else:
            conn.execute(
                "UPDATE cart_items SET quantity = ? WHERE cart_id = ? AND product_id = ?",
                (quantity, cart_id, product_id),
            )
    return None


def remove_from_cart(db: Database, cart_id: str, product_id: int) -> None:
    """Delete one line from a cart."""
    with db.write() as conn:
        conn.execute("DELETE FROM cart_items WHERE cart_id = ? AND product_id = ?", (cart_id, product_id))


def record_payment(db: Database, token: str, method: str, amount_cents: int) -> None:
    """Remember an approved payment for TOKEN (replacing an earlier unused approval)."""
    with db.write() as conn:
        conn.execute(
            """INSERT INTO payments (token, method, amount_cents) VALUES (?, ?, ?)
               ON CONFLICT(token) DO UPDATE SET method = excluded.method, amount_cents = excluded.amount_cents
               WHERE payments.order_number IS NULL""",
            (token, method, amount_cents),
        )


def payment(db: Database, token: str) -> sqlite3.Row | None:
    """Approved payment row for TOKEN."""
    with db.read() as conn:
        return conn.execute("SELECT * FROM payments WHERE token = ?", (token,)).fetchone()


def create_order(
    db: Database, cart_id: str, lines: list[CartLine], details: dict[str, str], user_id: int | None,
    token: str, method: str,
) -> Order:
    """Place an order: check and decrement stock, store it, empty the cart; raises StockError."""
    label, shipping_cents = SHIPPING[details["shipping_method"]]
    subtotal = cart_total(lines)
    with db.write() as conn:
        for line in lines:
            stock = conn.execute("SELECT stock FROM products WHERE id = ?", (line.product_id,)).fetchone()["stock"]
            if line.quantity > stock:
                raise StockError(f"Sorry, {line.name}: only {stock} left in stock.")
        cur = conn.execute(
            """INSERT INTO orders (user_id, email, full_name, address, city, postal_code, country,
               shipping_method, shipping_cents, subtotal_cents, total_cents, payment_method, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (user_id, details["email"], details["full_name"], details["address"], details["city"],
             details["postal_code"], details["country"], label, shipping_cents, subtotal,
             subtotal + shipping_cents, method, now_iso()),
        )
        order_id = int(cur.lastrowid or 0)
        number = f"DS-{order_id}"
        conn.execute("UPDATE orders SET number = ? WHERE id = ?", (number, order_id))
        for line in lines:
            conn.execute(
                "INSERT INTO order_items (order_id, product_id, name, price_cents, quantity) VALUES (?, ?, ?, ?, ?)",
                (order_id, line.product_id, line.name, line.price_cents, line.quantity),
            )
            conn.execute("UPDATE products SET stock = stock - ? WHERE id = ?", (line.quantity, line.product_id))
        _restock_low(conn)
        conn.execute("DELETE FROM cart_items WHERE cart_id = ?", (cart_id,))
        conn.execute("UPDATE payments SET order_number = ? WHERE token = ?", (number, token))
    order = get_order(db, number)
    assert order is not None
    return order


def _restock_low(conn: sqlite3.Connection) -> None:
    """The warehouse refills a product that runs low (below a quarter of its stock; one-offs never), so a
    store that keeps its orders does not run dry under flows run again and again, as a real shop does not."""
    for slug, _name, _price, stock, _text in CATALOG:
        if stock > 1:
            conn.execute("UPDATE products SET stock = ? WHERE slug = ? AND stock < ?", (stock, slug, max(2, stock // 4)))


def get_order(db: Database, number: str) -> Order | None:
    """An order with its items, or None."""
    with db.read() as conn:
        row = conn.execute("SELECT * FROM orders WHERE number = ?", (number,)).fetchone()
        if row is None:
            return None
        items = conn.execute(
            """SELECT i.id, i.product_id, p.slug, i.name, i.price_cents, i.quantity
               FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = ? ORDER BY i.id""",
            (row["id"],),
        ).fetchall()
    data = {k: row[k] for k in row.keys() if k != "id"}
    return Order(**data, items=[CartLine(**dict(i)) for i in items])


def orders_for_user(db: Database, user_id: int) -> list[Order]:
    """A user's orders, newest first."""
    with db.read() as conn:
        numbers = [r["number"] for r in conn.execute(
            "SELECT number FROM orders WHERE user_id = ? ORDER BY id DESC", (user_id,))]
    return [o for o in (get_order(db, n) for n in numbers) if o is not None]


def create_ticket(db: Database, name: str, email: str, order_number: str, message: str) -> str:
    """Store a support message; returns its ticket number like 'T-000001'."""
    with db.write() as conn:
        cur = conn.execute(
            "INSERT INTO tickets (name, email, order_number, message, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, email, order_number, message, now_iso()),
        )
        number = f"T-{int(cur.lastrowid or 0):06d}"
        conn.execute("UPDATE tickets SET number = ? WHERE id = ?", (number, cur.lastrowid))
    return number
