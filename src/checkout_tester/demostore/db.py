"""SQLite storage for the demo store: schema, seed catalog, products and users."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

SCHEMA = """
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    stock INTEGER NOT NULL
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE cart_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cart_id TEXT NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products(id),
    quantity INTEGER NOT NULL,
    UNIQUE (cart_id, product_id)
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT UNIQUE,
    user_id INTEGER REFERENCES users(id),
    email TEXT NOT NULL,
    full_name TEXT NOT NULL,
    address TEXT NOT NULL,
    city TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    country TEXT NOT NULL,
    shipping_method TEXT NOT NULL,
    shipping_cents INTEGER NOT NULL,
    subtotal_cents INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    payment_method TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE order_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    quantity INTEGER NOT NULL
);
CREATE TABLE payments (
    token TEXT PRIMARY KEY,
    method TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    order_number TEXT
);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    order_number TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- order numbers start at DS-100001
INSERT INTO sqlite_sequence (name, seq) VALUES ('orders', 100000);
"""

# slug, name, price in cents, stock, description
CATALOG: list[tuple[str, str, int, int, str]] = [
    ("blue-mug", "Blue Mug", 1200, 50, "A sturdy stoneware mug with a deep blue glaze."),
    ("green-teapot", "Green Teapot", 3450, 20, "A one-litre teapot with a removable steel infuser."),
    ("walnut-cutting-board", "Walnut Cutting Board", 4500, 10, "End-grain walnut board, oiled and ready to use."),
    ("linen-apron", "Linen Apron", 2800, 15, "Washed linen apron with two deep pockets."),
    ("espresso-cups", "Espresso Cups (set of 4)", 2200, 30, "Four small porcelain cups with saucers."),
    ("oak-serving-tray", "Oak Serving Tray", 3900, 8, "Solid oak tray with carved handles."),
    ("ceramic-bowl", "Ceramic Bowl", 1650, 40, "Hand-thrown bowl for soups, salads and ramen."),
    ("coffee-grinder", "Coffee Grinder", 5900, 5, "Manual burr grinder with adjustable coarseness."),
    ("last-one-lamp", "Last One Lamp", 7500, 1, "A one-off brass desk lamp. Only one was ever made."),
]


def now_iso() -> str:
    """Current UTC time as an ISO string."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def format_money(cents: int) -> str:
    """Format cents as dollars, e.g. 2400 -> '$24.00'."""
    return f"${cents / 100:,.2f}"


@dataclass(frozen=True)
class Product:
    """A catalog product."""

    id: int
    slug: str
    name: str
    description: str
    price_cents: int
    stock: int

    @property
    def price(self) -> str:
        """Price formatted like '$12.00'."""
        return format_money(self.price_cents)


class Database:
    """One SQLite file; a connection per call, writes serialized by a lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        # SQLite allows one writer; serializing here avoids 'database is locked' under threads.
        self.write_lock = threading.RLock()

    def _connect(self) -> sqlite3.Connection:
        """Open a connection with dict-like rows."""
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Connection for reads."""
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Connection inside one serialized transaction (committed on success)."""
        with self.write_lock:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                conn.close()

    def init(self) -> None:
        """Create the schema and seed the catalog."""
        with self.write_lock:
            conn = self._connect()
            try:
                conn.executescript("PRAGMA journal_mode = WAL;" + SCHEMA)
                conn.executemany(
                    "INSERT INTO products (slug, name, price_cents, stock, description) VALUES (?, ?, ?, ?, ?)",
                    CATALOG,
                )
            finally:
                conn.close()

    def reset(self) -> None:
        """Forget shoppers, carts, orders and tickets and restock the catalog: a clean store per test."""
        with self.write() as conn:
            for table in ("payments", "order_items", "orders", "cart_items", "tickets", "users", "products"):
                conn.execute(f"DELETE FROM {table}")  # children first: foreign keys are on
            conn.executemany(
                "INSERT INTO products (slug, name, price_cents, stock, description) VALUES (?, ?, ?, ?, ?)",
                CATALOG,
            )

    # -- products ---------------------------------------------------------

    def products(self) -> list[Product]:
        """All products in catalog order."""
        with self.read() as conn:
            return [Product(**dict(r)) for r in conn.execute("SELECT * FROM products ORDER BY id")]

    def search(self, query: str) -> list[Product]:
        """Products whose name or description contains QUERY (case-insensitive)."""
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql = "SELECT * FROM products WHERE name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' ORDER BY id"
        with self.read() as conn:
            return [Product(**dict(r)) for r in conn.execute(sql, (pattern, pattern))]

    def product(self, slug: str) -> Product | None:
        """One product by slug."""
        with self.read() as conn:
            row = conn.execute("SELECT * FROM products WHERE slug = ?", (slug,)).fetchone()
        return Product(**dict(row)) if row else None

    def product_by_id(self, product_id: int) -> Product | None:
        """One product by id."""
        with self.read() as conn:
            row = conn.execute("SELECT * FROM products WHERE id = ?", (product_id,)).fetchone()
        return Product(**dict(row)) if row else None

    # -- users ------------------------------------------------------------

    def user_by_email(self, email: str) -> sqlite3.Row | None:
        """User row for a normalized (lowercased) email."""
        with self.read() as conn:
            return conn.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()

    def user_by_id(self, user_id: int) -> sqlite3.Row | None:
        """User row by id."""
        with self.read() as conn:
            return conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()

    def create_user(self, email: str, password_hash: str) -> int | None:
        """Insert a user; None if the email is taken."""
        try:
            with self.write() as conn:
                cur = conn.execute(
                    "INSERT INTO users (email, password_hash, created_at) VALUES (?, ?, ?)",
                    (email, password_hash, now_iso()),
                )
                return int(cur.lastrowid or 0)
        except sqlite3.IntegrityError:
            return None
