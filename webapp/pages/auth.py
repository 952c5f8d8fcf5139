"""Sign-in and sign-out pages (the gate every request passes is webapp/security.py)."""
import math

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request,
                   session, url_for)
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from ..rules import users
from ..rules.records import InvalidRecord
from ..rules.wording import count_of
from ..security import SESSION_COOKIE, safe_next

bp = Blueprint("auth", __name__)


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


@bp.route("/login", methods=["GET", "POST"])
def login():
    if g.user is not None and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    form = SignInForm()
    status, error, headers = 200, None, {}
    if form.validate_on_submit():
        try:
            user = users.authenticate(form.email.data, form.password.data, request.remote_addr)
        except users.SignInThrottled as throttled:
            seconds = math.ceil(throttled.retry_after.total_seconds())
            status, error = 429, _throttled_message(throttled.reason, seconds)
            headers["Retry-After"] = str(seconds)
        except users.SignInRefused:
            status, error = 401, "That email and password do not match an active account."
        except InvalidRecord as invalid:
            status = 400
            form.email.errors.append(invalid.errors["email"])
        else:
            return signed_in(user, safe_next(request.args.get("next")) or url_for("main.home"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, error=error,
                           next=safe_next(request.args.get("next"))), status, headers


def _throttled_message(reason, seconds):
    """Say which throttle refused: the account's lock, or the slowed-down address."""
    if reason == users.ACCOUNT_LOCKED:
        minutes = math.ceil(seconds / 60)
        return ("Too many failed sign-ins: for its safety this account is locked for "
                f"{count_of(minutes, 'more minute')}. Try again then; if you have "
                "forgotten your password, ask an administrator to set a new one.")
    return ("Too many failed sign-ins have come from your network recently, so sign-ins "
            f"from it are slowed down. Wait {seconds} seconds and try again.")


def signed_in(user, url):
    """Rotate everything: a fresh session id and a fresh Flask session (CSRF token); then
    303 to `url`. Also used after changing one's own password (which ends every session)."""
    users.end_session(request.cookies.get(SESSION_COOKIE))
    session.clear()
    sid = users.start_session(user)
    response = redirect(url, 303)
    config = current_app.config
    response.set_cookie(SESSION_COOKIE, sid, max_age=int(users.SESSION_LIFETIME.total_seconds()),
                        httponly=True, samesite="Lax", secure=config["SESSION_COOKIE_SECURE"])
    return response


def _signed_out(message):
    session.clear()
    flash(message, "success")
    response = redirect(url_for("auth.login"), 303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="Lax",
                           secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.post("/logout")
def logout():
    users.end_session(request.cookies.get(SESSION_COOKIE))
    return _signed_out("You are signed out.")


@bp.post("/logout-everywhere")
def logout_everywhere():
    users.revoke_sessions(g.user)
    return _signed_out("You are signed out on every device.")
