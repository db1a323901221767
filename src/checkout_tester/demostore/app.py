"""The shop's Flask app: factory, request hooks, error pages and the admin endpoint."""
from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from checkout_tester.demostore.accounts import bp as accounts_bp
from checkout_tester.demostore.catalog import bp as catalog_bp
from checkout_tester.demostore.checkout import bp as checkout_bp
from checkout_tester.demostore.db import format_money
from checkout_tester.demostore.detect_pages import bp as detect_bp
from checkout_tester.demostore.format_pages import bp as format_bp
from checkout_tester.demostore.payments import bp as payments_bp
from checkout_tester.demostore.support import bp as support_bp
from checkout_tester.demostore.timing_pages import bp as timing_bp
from checkout_tester.demostore.web import StoreContext, current_lines, current_user

HERE = Path(__file__).parent
ADMIN_PREFIX = "/__admin/"


def create_app(context: StoreContext) -> Flask:
    """Build the shop app around CONTEXT."""
    app = Flask("checkout_tester.demostore", root_path=str(HERE), template_folder="templates",
                static_folder="static")
    app.config.update(
        SECRET_KEY=secrets.token_hex(32),
        SESSION_COOKIE_NAME="demostore_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SEND_FILE_MAX_AGE_DEFAULT=0,
    )
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.extensions["demostore"] = context
    for bp in (catalog_bp, accounts_bp, checkout_bp, payments_bp, support_bp):
        app.register_blueprint(bp)
    app.register_blueprint(format_bp)  # /format/: pages the flow format's tests use
    app.register_blueprint(detect_bp)  # pages for the detectors: framework errors, dialogs, broken assets
    app.register_blueprint(timing_bp)  # timing and navigation test pages

    @app.before_request
    def inject_delay() -> ResponseReturnValue | None:
        """Apply slow/jitter/flaky faults before the response is produced (not to the admin hook)."""
        if not request.path.startswith(ADMIN_PREFIX):
            context.faults.apply_delay(request.path)
            if context.faults.fail_now(request.path):
                return "<h1>Service Unavailable</h1><p>Please try again in a moment.</p>", 503
        return None

    @app.context_processor
    def layout_values() -> dict[str, Any]:
        """Values every page's layout needs."""
        if request.path.startswith(ADMIN_PREFIX):
            return {}
        return {
            "user": current_user(),
            "cart_count": sum(line.quantity for line in current_lines()),
            "money": format_money,
        }

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        """Friendly error pages for 4xx/5xx raised by routes."""
        code = exc.code or 500
        if code == 404:
            return render_template("error.html", title="Page not found",
                                   message="Sorry, we could not find that page."), 404
        if code >= 500:
            return render_template("error.html", title="Something went wrong",
                                   message="Please try again later."), code
        return render_template("error.html", title=exc.name, message=exc.description), code

    @app.errorhandler(Exception)
    def crash(exc: Exception) -> ResponseReturnValue:
        """Unexpected errors get the generic 500 page (and the log the traceback)."""
        app.logger.exception("Unhandled error on %s", request.path)
        return render_template("error.html", title="Something went wrong",
                               message="Please try again later."), 500

    def allowed() -> bool:
        token = request.headers.get("X-Admin-Token", "")
        return hmac.compare_digest(token.encode(), context.admin_token.encode())

    @app.route("/__admin/reset", methods=["POST"])
    def admin_reset() -> ResponseReturnValue:
        """Test hook: forget all shoppers, carts, orders and tickets (needs X-Admin-Token)."""
        if not allowed():
            return jsonify({"error": "forbidden"}), 403
        context.db.reset()
        return jsonify({"reset": True})

    @app.route("/__admin/faults", methods=["GET", "POST"])
    def admin_faults() -> ResponseReturnValue:
        """Test hook: read or replace the active faults (needs X-Admin-Token)."""
        if not allowed():
            return jsonify({"error": "forbidden"}), 403
        if request.method == "POST":
            data = request.get_json(silent=True)
            if not isinstance(data, dict) or not isinstance(data.get("faults"), list):
                return jsonify({"error": 'expected JSON {"faults": [...]}'}), 400
            try:
                context.faults.set(data["faults"])
            except ValueError as exc:
                return jsonify({"error": str(exc)}), 400
        return jsonify({"faults": context.faults.names})

    return app
