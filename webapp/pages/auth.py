"""Sign-in, sign-out, and the gate every request passes.

Pages authenticate with a server-side session (cookie `registrar_sid`, a random id whose
SHA-256 is a row in user_sessions), so signing out really revokes it. The API
authenticates only with `Authorization: Bearer <token>`; cookies count for nothing there,
which is why the API blueprint can be exempt from CSRF.
"""
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template,
                   request, session, url_for)
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from . import audit, users
from .errors import json_error, wants_json

bp = Blueprint("auth", __name__)

SESSION_COOKIE = "registrar_sid"
PUBLIC_PATHS = ("/login", "/static/", "/healthz", "/api/openapi.json", "/api/docs")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Answered without looking anyone up (a health probe must not depend on a session query).
NO_USER_ENDPOINTS = {"static", "health.healthz"}
# Signing yourself out is the one write a read-only account may make.
ANY_USER_WRITES = {"auth.logout", "auth.logout_everywhere"}


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


def _bearer_token():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def load_user():
    """Find who is asking (one query) and make them the author of any change."""
    if request.endpoint in NO_USER_ENDPOINTS:
        g.user = None
    elif wants_json():
        g.user = users.user_for_token(_bearer_token())
    else:
        g.user = users.user_for_session(request.cookies.get(SESSION_COOKIE))
    g.can_edit = bool(g.user and g.user.can_edit)
    if g.user:
        actor = audit.Actor(g.user.id, g.user.name, g.get("request_id"))
        g.actor_token = audit.set_actor(actor)


def require_access():
    """Send strangers to sign in (401 on the API) and refuse staff writes with 403."""
    if request.path.startswith(PUBLIC_PATHS):
        return None
    if g.user is None:
        if wants_json():
            response = json_error(401, "authentication required: send Authorization: Bearer <token>")
            response.headers["WWW-Authenticate"] = 'Bearer realm="registrar"'
            return response
        login_url = url_for("auth.login", next=_next_target(request.full_path))
        if request.headers.get("HX-Request"):
            return "", 401, {"HX-Redirect": login_url}
        return redirect(login_url, 303 if request.method not in SAFE_METHODS else 302)
    if request.method not in SAFE_METHODS and not g.user.can_edit \
            and request.endpoint not in ANY_USER_WRITES:
        abort(403, "Your account can view enrollment data but not change it.")
    return None


def forget_actor(exc):
    token = g.pop("actor_token", None)
    if token is not None:
        audit.reset_actor(token)


def no_store(response):
    """Pages and API answers carry student data: never cache them anywhere."""
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def _next_target(target):
    """Only same-site paths are followed after sign-in (no open redirects)."""
    target = (target or "").rstrip("?")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return None
    return None if target.startswith("/login") else target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if g.user is not None and request.method == "GET":
        return redirect(_next_target(request.args.get("next")) or url_for("main.home"))
    form = SignInForm()
    status, error = 200, None
    if form.validate_on_submit():
        try:
            user = users.authenticate(form.email.data, form.password.data, request.remote_addr)
        except users.SignInThrottled:
            status, error = 429, ("Too many failed sign-ins. For your safety this account is "
                                  "locked for 15 minutes; try again later or ask an administrator.")
        except users.SignInRefused:
            status, error = 401, "That email and password do not match an active account."
        else:
            return _signed_in(user)
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, error=error,
                           next=_next_target(request.args.get("next"))), status


def _signed_in(user):
    """Rotate everything: a fresh session id and a fresh Flask session (CSRF token)."""
    users.end_session(request.cookies.get(SESSION_COOKIE))
    session.clear()
    sid = users.start_session(user)
    response = redirect(_next_target(request.args.get("next")) or url_for("main.home"), 303)
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


def _template_globals():
    return {"current_user": g.get("user"), "can_edit": g.get("can_edit", False)}


def register(app):
    """Install the gate; call after the request-id hook so the actor carries the id."""
    app.before_request(load_user)
    app.before_request(require_access)
    app.teardown_request(forget_actor)
    app.after_request(no_store)
    app.context_processor(_template_globals)
    app.register_blueprint(bp)
