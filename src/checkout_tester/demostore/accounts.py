"""Account pages: sign up, log in, log out, account overview."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.security import check_password_hash, generate_password_hash

from checkout_tester.demostore.orders import orders_for_user
from checkout_tester.demostore.web import ctx, current_user, is_valid_email, safe_next

bp = Blueprint("accounts", __name__)

MIN_PASSWORD = 8


def normalize_email(email: str) -> str:
    """Emails are case-insensitive: stored trimmed and lowercased."""
    return email.strip().lower()


def signup_error(email: str, password: str, confirm: str) -> str | None:
    """First problem with a signup form, using the same rules as static/signup.js."""
    if not is_valid_email(email):
        return "Please enter a valid email address."
    if ctx().faults.active("uppercase-email") and email != email.lower():
        return "unknown email format"
    if len(password) < MIN_PASSWORD:
        return f"Password must be at least {MIN_PASSWORD} characters."
    if password != confirm:
        return "Passwords do not match."
    return None


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> ResponseReturnValue:
    """Create an account, then log in."""
    reject_uppercase = ctx().faults.active("uppercase-email")
    if request.method == "GET":
        return render_template("signup.html", email="", reject_uppercase=reject_uppercase, js_alert=True)
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    confirm = request.form.get("confirm_password", "")
    error = signup_error(email, password, confirm)
    if error is None:
        user_id = ctx().db.create_user(normalize_email(email), generate_password_hash(password))
        if user_id is None:
            error = "An account with this email already exists."
        else:
            session["user_id"] = user_id
            flash("Your account has been created.", "status")
            return redirect(url_for("accounts.account"))
    return render_template("signup.html", email=email, error=error, reject_uppercase=reject_uppercase,
                           js_alert=True)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Log in with email and password."""
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", email="", next_url=next_url)
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    user = ctx().db.user_by_email(normalize_email(email))
    if user is None or not check_password_hash(user["password_hash"], password):
        return render_template("login.html", email=email, next_url=next_url,
                               error="Email or password is incorrect.")
    session["user_id"] = user["id"]
    flash("You are now logged in.", "status")
    return redirect(next_url or url_for("accounts.account"))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out (the cart stays with the browser session)."""
    session.pop("user_id", None)
    session.pop("checkout", None)
    flash("You have been logged out.", "status")
    return redirect(url_for("catalog.home"))


@bp.get("/account")
def account() -> ResponseReturnValue:
    """Account overview with past orders."""
    user = current_user()
    if user is None:
        flash("Please log in to see your account.", "status")
        return redirect(url_for("accounts.login", next="/account"))
    return render_template("account.html", orders=orders_for_user(ctx().db, user["id"]))
