"""'Messages not sent': the outbox, for a school without SMTP_URL (or while sending fails)."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from ..rules import outbox
from .ui import paginate

bp = Blueprint("outbox", __name__, url_prefix="/outbox")


@bp.get("/")
def index():
    return render_template("outbox/index.html", page=paginate(outbox.unsent()),
                           smtp_configured=bool(current_app.config.get("SMTP_URL")))


@bp.post("/<int:message_id>/handled")
def handled(message_id):
    """The registrar passed the message on themselves (phone, letter): off the list."""
    if outbox.mark_handled(message_id):
        flash("Marked as passed on; it will not be sent.", "success")
    else:
        flash("That message was sent or handled already.", "error")
    return redirect(url_for(".index"), 303)
