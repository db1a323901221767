"""WalletPay: a fake one-click payment gateway served on its own port (a different origin)."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from checkout_tester.demostore.db import format_money
from checkout_tester.demostore.faults import FaultSet

HERE = Path(__file__).parent


class Ledger:
    """In-memory record of payment decisions, keyed by the shop's payment token."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._payments: dict[str, dict[str, Any]] = {}

    def record(self, token: str, status: str, amount: int, origin: str) -> dict[str, Any]:
        """Store a decision for TOKEN and return it."""
        entry = {"token": token, "status": status, "amount": amount, "origin": origin}
        with self._lock:
            self._payments[token] = entry
        return dict(entry)

    def get(self, token: str) -> dict[str, Any] | None:
        """Decision for TOKEN, if any."""
        with self._lock:
            entry = self._payments.get(token)
            return dict(entry) if entry else None


def valid_origin(origin: str) -> bool:
    """Whether ORIGIN looks like 'http(s)://host[:port]' with nothing after it."""
    try:
        parts = urlsplit(origin)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.path == "" and not parts.query


def create_wallet_app(faults: FaultSet) -> Flask:
    """Build the WalletPay gateway app."""
    app = Flask(
        "checkout_tester.demostore.wallet",
        root_path=str(HERE),
        template_folder="templates",
        static_folder="static",
    )
    # the wallet shares the host with the shop, and cookies ignore ports: never clash
    app.config["SESSION_COOKIE_NAME"] = "walletpay_session"
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    ledger = Ledger()
    app.extensions["walletpay"] = ledger

    @app.before_request
    def inject_delay() -> None:
        """Apply slow/jitter faults before producing any response."""
        faults.apply_delay(request.path)

    def unavailable_json() -> ResponseReturnValue:
        """The API's answer while the wallet-down fault is on."""
        return jsonify({"error": "WalletPay is temporarily unavailable"}), 503

    @app.get("/")
    def index() -> ResponseReturnValue:
        """Tiny landing page."""
        return render_template("wallet/message.html", title="WalletPay", message="WalletPay payment gateway.")

    @app.get("/authorize")
    def authorize() -> ResponseReturnValue:
        """The popup page where the shopper approves or cancels a payment."""
        if faults.active("wallet-down"):
            return render_template("wallet/message.html", title="WalletPay unavailable",
                                   message="WalletPay is temporarily unavailable", closable=True), 503
        token = request.args.get("session", "").strip()
        origin = request.args.get("origin", "").strip()
        try:
            amount = int(request.args.get("amount", ""))
        except ValueError:
            amount = 0
        if not token or amount <= 0 or not valid_origin(origin):
            return render_template("wallet/message.html", title="WalletPay error",
                                   message="This payment request is invalid.", closable=True), 400
        return render_template("wallet/authorize.html", token=token, amount=amount,
                               amount_text=format_money(amount), origin=origin)

    def decide(token: str, status: str) -> ResponseReturnValue:
        """Record the shopper's decision posted by the popup."""
        if faults.active("wallet-down"):
            return unavailable_json()
        data = request.get_json(silent=True) or {}
        try:
            amount = int(data.get("amount", 0))
        except (TypeError, ValueError):
            amount = 0
        if amount <= 0:
            return jsonify({"error": "amount must be a positive number of cents"}), 400
        return jsonify(ledger.record(token, status, amount, str(data.get("origin", ""))))

    @app.post("/api/payments/<token>/approve")
    def approve(token: str) -> ResponseReturnValue:
        """Record that the shopper approved the payment."""
        return decide(token, "approved")

    @app.post("/api/payments/<token>/cancel")
    def cancel(token: str) -> ResponseReturnValue:
        """Record that the shopper cancelled the payment."""
        return decide(token, "cancelled")

    @app.get("/api/payments/<token>")
    def status(token: str) -> ResponseReturnValue:
        """Server-to-server status check used by the shop."""
        if faults.active("wallet-down"):
            return unavailable_json()
        entry = ledger.get(token)
        if entry is None:
            return jsonify({"token": token, "status": "unknown"}), 404
        return jsonify(entry)

    return app
