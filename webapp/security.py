"""Who may ask what, and the headers every answer carries.

The gate: pages authenticate with a server-side session (cookie `registrar_sid`, a random
id whose SHA-256 is a row in user_sessions), so signing out really revokes it. The API
authenticates only with `Authorization: Bearer <token>`; cookies count for nothing there,
which is why the API blueprint can be exempt from CSRF.

The CSP allows no inline script, so htmx must not inject its indicator style
(htmx.config.includeIndicatorStyles is turned off in a meta tag in base.html).
"""
import re
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from .errors import json_error, wants_json
from .rules import audit, users

CONTENT_SECURITY_POLICY = ("default-src 'self'; object-src 'none'; base-uri 'self'; "
                           "frame-ancestors 'none'; form-action 'self'")

# Browsers come back over HTTPS only for a year (not under FLASK_DEBUG, served over http).
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

SESSION_COOKIE = "registrar_sid"
# Matched by endpoint, not URL prefix: "/loginxyz" or "/healthz-admin" is not public.
# A one-time set-password link is its own credential: its owner has no password yet.
PUBLIC_ENDPOINTS = {"auth.login", "static", "favicon", "health.healthz", "api.openapi_document",
                    "api.docs", "account.set_password"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Pages under /api: read-only HTML that shows the signed-in user the site's navigation.
API_PAGES = {"api.docs"}
# Answered without looking anyone up (a health probe must not depend on a session query).
NO_USER_ENDPOINTS = {"static", "favicon", "health.healthz"}
# Writes a read-only account may make: to itself only (signing out, its own password and
# API tokens).
ANY_USER_WRITES = {"auth.logout", "auth.logout_everywhere", "account.mine", "account.tokens",
                   "account.revoke_token"}
SESSION_ENDED = "Your session ended — sign in again."
READ_ONLY = "Your account can view enrollment data but not change it."
# A form page a read-only account opens: refused before they type anything.
REGISTRARS_FORM = ("This form is for registrars. Your account can view enrollment data but "
                   "not change it: ask a registrar to make the change.")
# Pages where a registrar changes things; a read-only account is told once at the top.
EDITABLE_PAGES = {"main.home", "students.index", "students.show", "courses.index",
                  "courses.show", "terms.index", "outbox.index"}
READ_ONLY_NOTICE = "You can view; only registrars can change enrollments."


def _bearer_token():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def load_user():
    """Find who is asking (one query) and make them the author of any change."""
    if request.endpoint in NO_USER_ENDPOINTS:
        g.user = None
    elif wants_json() and request.endpoint not in API_PAGES:
        g.user = users.user_for_token(_bearer_token())
    else:
        g.user = users.user_for_session(request.cookies.get(SESSION_COOKIE))
    g.can_edit = bool(g.user and g.user.can_edit)
    if g.user:
        actor = audit.Actor(g.user.id, g.user.name, g.get("request_id"))
        g.actor_token = audit.set_actor(actor)


def require_access():
    """Send strangers to sign in (401 on the API) and refuse staff writes with 403."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if g.user is None:
        if wants_json():
            response = json_error(401, "authentication required: send Authorization: Bearer <token>")
            response.headers["WWW-Authenticate"] = 'Bearer realm="registrar"'
            return response
        return _sign_in_again()
    if g.user.can_edit or request.endpoint in ANY_USER_WRITES:
        return None
    if request.method not in SAFE_METHODS:
        abort(403, READ_ONLY)
    if _is_form_page() and not wants_json():
        abort(403, REGISTRARS_FORM)
    return None


def _is_form_page():
    """A page URL that also takes the POST it exists for (new/edit forms, confirmations):
    its GET only shows a form the reader could not submit."""
    rule = request.url_rule
    return rule is not None and "POST" in rule.methods


def _sign_in_again():
    """To the sign-in page, then back to the page the user was on. A browser that had a
    session (its cookie, or a write from an open page) is told it ended."""
    if request.cookies.get(SESSION_COOKIE) or request.method not in SAFE_METHODS:
        flash(SESSION_ENDED, "error")
    login_url = url_for("auth.login", next=safe_next(_page_user_was_on()))
    if request.headers.get("HX-Request"):
        return "", 401, {"HX-Redirect": login_url}
    return redirect(login_url, 303 if request.method not in SAFE_METHODS else 302)


def _page_user_was_on():
    """The page an htmx request (HX-Current-URL) or a form post (Referer) came from, if
    it is on this site, else this request's URL; cut back to a page that answers GET, so a
    tick's /students/5/courses/7 comes back to /students/5, never to a POST-only URL."""
    came_from = request.headers.get("HX-Current-URL") or (
        request.referrer if request.method not in SAFE_METHODS else None)
    parts = urlsplit(came_from or "")
    if parts.netloc and parts.netloc == request.host and parts.path.startswith("/"):
        path, query = parts.path, parts.query
    else:
        path, query = request.path, request.query_string.decode("latin-1")
    adapter = current_app.create_url_adapter(request)
    while path.rstrip("/"):
        try:
            adapter.match(path, method="GET")
        except RequestRedirect:  # /students -> /students/: a page too
            pass
        except HTTPException:  # 404 or 405: the page above, without the query
            path, query = path.rstrip("/").rsplit("/", 1)[0], ""
            continue
        return path + (f"?{query}" if query else "")
    return "/"


def forget_actor(exc):
    token = g.pop("actor_token", None)
    if token is not None:
        audit.reset_actor(token)


def no_store(response):
    """Pages and API answers carry student data: never cache them anywhere."""
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def _lowered(*headers):
    return tuple((name.lower(), name, value) for name, value in headers)


# The headers every answer carries unless a view set its own, as (lower-case name, name,
# value): under FLASK_DEBUG (plain http on a laptop) and not.
DEBUG_HEADERS = _lowered(("Content-Security-Policy", CONTENT_SECURITY_POLICY),
                         ("X-Content-Type-Options", "nosniff"),
                         ("Referrer-Policy", "same-origin"))
SERVED_HEADERS = (*DEBUG_HEADERS,
                  *_lowered(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)))


UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(target):
    """Only same-site paths are followed after sign-in (no open redirects). Control
    characters (CR/LF would split the Location header) and backslashes (browsers read
    `/\\host` as `//host`) disqualify a target."""
    target = (target or "").rstrip("?")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc \
            or UNSAFE_IN_NEXT.search(target):
        return None
    return None if target.startswith("/login") else target


def _security_headers(response):
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    for lower, name, value in DEBUG_HEADERS if current_app.debug else SERVED_HEADERS:
        if lower not in present:
            headers.add(name, value)
    return response


def _template_globals():
    user, can_edit = g.get("user"), g.get("can_edit", False)
    notice = (READ_ONLY_NOTICE if user and not can_edit and request.endpoint in EDITABLE_PAGES
              else None)
    return {"current_user": user, "can_edit": can_edit, "read_only_notice": notice}


def register(app):
    """Install the gate and the headers; call after the request-id hook so the actor
    carries the id."""
    app.before_request(load_user)
    app.before_request(require_access)
    app.teardown_request(forget_actor)
    app.after_request(no_store)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
