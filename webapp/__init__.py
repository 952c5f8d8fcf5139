"""Registrar: a Flask app for putting students into courses.

Packages by layer (each __init__ states its import rule, tests/test_layout.py checks them):
rules/ (the enrollment rules, no Flask), pages/ (HTML), api/ (JSON), ops/ (command line and
operations). Beside them: config, db, models, errors, security, request_log, input_guard,
original_paths.
"""
import importlib
import pkgutil
import secrets
from inspect import CO_COROUTINE
from types import FunctionType

import orjson
from flask import Flask, g, redirect, request, url_for
from flask.globals import _cv_request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import INSTANCE_DIR, PROJECT_ROOT, MissingSecretKey, load_config
from .db import db, make_database
from .rules.wording import count_of

csrf = CSRFProtect()


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its signer built once per key rather than on
    every request (Flask builds it afresh even for requests that carry no cookie)."""

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = app.extensions.get("registrar.session_signer")
        if cached is None or cached[0] != keys:
            cached = (keys, super().get_signing_serializer(app))
            app.extensions["registrar.session_signer"] = cached
        return cached[1]


class JsonAnswers(DefaultJSONProvider):
    """jsonify() written by orjson: the same JSON as Flask's (keys sorted, compact, a
    final newline; dates, UUIDs, dataclasses by Flask's rules), several times faster.
    Reading JSON stays Flask's (its errors and limits are what the API reports)."""

    OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def response(self, *args, **kwargs):
        if not self._app.debug:  # (debug answers are indented: Flask's own)
            try:
                body = orjson.dumps(self._prepare_response_obj(args, kwargs),
                                    default=self.default, option=self.OPTIONS)
            except (orjson.JSONEncodeError, TypeError):
                pass  # (e.g. a lone surrogate, which the standard encoder escapes)
            else:
                return self._app.response_class(body + b"\n", mimetype=self.mimetype)
        return super().response(*args, **kwargs)


class Registrar(Flask):
    """Flask, minus per-request work whose answer never changes."""

    session_interface = SessionCookies()
    json_provider_class = JsonAnswers

    URLS_REMEMBERED = 4096

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._built_urls = {}

    def url_for(self, endpoint, /, *, _anchor=None, _method=None, _scheme=None,
                _external=None, **values):
        """Flask's url_for, remembering the paths it built: a student page asks for ~40
        (the layout's links and files, the student's own), each a walk through werkzeug's
        URL map. Only a request's plain path to an endpoint with str or int values is
        remembered, by everything the path depends on (the adapter's script root, host
        and subdomain; the blueprint a relative endpoint names); anything else is Flask's."""
        request_context = _cv_request.get(None)
        adapter = request_context and request_context.url_adapter
        if (adapter is None or _anchor or _method or _scheme or _external
                or self.url_default_functions
                or not all(type(value) in (int, str) for value in values.values())):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method,
                                   _scheme=_scheme, _external=_external, **values)
        key = (endpoint, request_context.request.blueprint if endpoint[:1] == "." else None,
               adapter.script_name, adapter.server_name, adapter.subdomain,
               *values.items())
        path = self._built_urls.get(key)
        if path is None:
            path = super().url_for(endpoint, **values)
            if len(self._built_urls) >= self.URLS_REMEMBERED:
                self._built_urls.clear()
            self._built_urls[key] = path
        return path

    def ensure_sync(self, func):
        """Flask asks inspect whether each of a request's dozen hooks is a coroutine on
        every request; for a plain function one look at its code flags says it is not."""
        if type(func) is FunctionType and not func.__code__.co_flags & CO_COROUTINE:
            return func
        return super().ensure_sync(func)


def create_app(config=None):
    """Application factory. `config` overrides settings read from the environment."""
    app = Registrar(__name__,
                template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"),
                instance_path=str(INSTANCE_DIR))
    app.config.update(load_config())
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        if not (app.config.get("DEBUG") or app.config.get("TESTING")):
            raise MissingSecretKey()
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    _check_school_timezone(app.config["SCHOOL_TIMEZONE"])

    from . import api, errors, input_guard, original_paths, request_log, security
    from .ops import cli, health, jobs, mailer, users_cli
    from .pages import (
        accounts,
        auth,
        courses,
        history,
        home,
        imports,
        outbox,
        overrides,
        students,
        terms,
    )
    request_log.register(app)  # first: every later hook and log line sees the request id
    original_paths.register(app)  # before CSRF and the gate: JSON clients go to /api
    input_guard.register(app)  # NUL, ids past MAX_ID: refused before any query

    db.initialize(make_database(app.config["DATABASE_URL"]))
    _register_db_hooks(app)
    _note_promotions(app)
    mailer.register(app)
    jobs.register(app)

    errors.register(app)
    security.register(app)
    # After the gate: a form posted once the session ended (expired, or signed out in
    # another tab) is sent to sign in again rather than refused for its CSRF token.
    csrf.init_app(app)
    app.add_template_filter(count_of)
    # Pages link the icon; a browser that asks the old way is sent to it, signed in or not.
    app.add_url_rule("/favicon.ico", "favicon", lambda: redirect(
        url_for("static", filename="favicon.svg"), 301))
    for blueprint in (auth.bp, home.bp, students.bp, overrides.bp, courses.bp, terms.bp,
                      history.bp, outbox.bp, imports.bp, accounts.bp, accounts.own, health.bp, api.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)  # JSON clients, not forms: authenticated by bearer token (issue 6)
    cli.register(app)
    users_cli.register(app)
    _trust_proxies(app, app.config["TRUSTED_PROXIES"])
    return app


def import_modules():
    """Import every module of the app, those a view imports only when first used too:
    gunicorn's master does it once before forking (gunicorn.conf.py), so no worker pays
    for it inside a request."""
    for module in pkgutil.walk_packages(__path__, f"{__name__}."):
        importlib.import_module(module.name)


def warm_up(app):
    """Compile every template now (gunicorn's master, before forking): ~0.2 s of CPU that
    each new worker (at start, or when max_requests recycles one under load) otherwise
    spent inside its first requests, on each of its threads at once, while the
    connections it had taken waited."""
    environment = app.jinja_env
    for name in environment.list_templates(filter_func=lambda name: name.endswith(".html")):
        environment.get_template(name)


def _trust_proxies(app, count):
    """Behind `count` reverse proxies, take the client's address, scheme and host from the
    X-Forwarded-* headers they append (else every client would share the proxy's address)."""
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count,
                                x_port=count)


def _check_school_timezone(zone_name):
    """Refuse to start with a SCHOOL_TIMEZONE that is no zone (rather than fail on the
    first student page)."""
    from zoneinfo import ZoneInfoNotFoundError

    from .rules.terms import school_zone
    try:
        school_zone(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuntimeError(f"SCHOOL_TIMEZONE={zone_name!r} is not a time zone: use a name "
                           "like Europe/London or America/Chicago") from None


def _register_db_hooks(app):
    """Check a pooled connection out for each request and give it back afterwards."""
    @app.before_request
    def _connect():
        # /healthz connects itself, so a database that is down gets its 503, not a 500.
        if request.endpoint != "health.healthz":
            db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()


def _note_promotions(app):
    """Each request notes what the waitlists promoted during it: the pages announce it, and
    the mailer sends its messages once the response has gone out."""
    from .rules import waitlist

    @app.before_request
    def _start_noting():
        g.promotions_token = waitlist.start_noting()

    @app.teardown_request
    def _stop_noting(exc):
        token = g.pop("promotions_token", None)
        if token is not None:
            waitlist.stop_noting(token)
