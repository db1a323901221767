"""Contact support form and ticket acknowledgement."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from checkout_tester.demostore.mail import ticket_acknowledgement
from checkout_tester.demostore.orders import create_ticket
from checkout_tester.demostore.web import ctx, current_user, is_valid_email, missing_message

bp = Blueprint("support", __name__)

# form field -> label; the order number is optional
FIELDS: list[tuple[str, str, bool]] = [
    ("name", "Name", True),
    ("email", "Email", True),
    ("order_number", "Order number (optional)", False),
    ("message", "Message", True),
]


@bp.route("/support", methods=["GET", "POST"])
def support() -> ResponseReturnValue:
    """Show the form; POST files a ticket and mails an acknowledgement."""
    if request.method == "GET":
        user = current_user()
        return render_template("support.html", values={"email": user["email"] if user else ""})
    if ctx().faults.active("support-500"):
        # the fault: a server error before anything is stored or mailed
        return render_template("error.html", title="Something went wrong",
                               message="Please try again later."), 500
    values = {key: request.form.get(key, "").strip() for key, _, _ in FIELDS}
    missing = [label for key, label, required in FIELDS if required and not values[key]]
    error = None
    if missing:
        error = missing_message(missing)
    elif not is_valid_email(values["email"]):
        error = "Please enter a valid email address."
    if error:
        return render_template("support.html", values=values, error=error)
    ticket = create_ticket(ctx().db, values["name"], values["email"], values["order_number"], values["message"])
    subject, body = ticket_acknowledgement(ticket, values["name"], values["message"])
    ctx().mailer.send(values["email"], subject, body)
    return render_template("support_sent.html", ticket=ticket, email=values["email"])
