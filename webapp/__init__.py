"""Registrar: a Flask app for putting students into courses.

Packages by layer (each __init__ states its import rule, tests/test_layout.py checks them):
rules/ (the enrollment rules, no Flask), pages/ (HTML), api/ (JSON), ops/ (command line and
operations). Beside them: config, db, models, errors, security, request_log.
"""
import secrets

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

from .config import INSTANCE_DIR, PROJECT_ROOT, load_config
from .db import db, make_database

csrf = CSRFProtect()


def create_app(config=None):
    """Application factory. `config` overrides settings read from the environment."""
    app = Flask(__name__,
                template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"),
                instance_path=str(INSTANCE_DIR))
    app.config.update(load_config())
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        if not (app.config.get("DEBUG") or app.config.get("TESTING")):
            raise RuntimeError("SECRET_KEY is not set: export SECRET_KEY, or run `make run` "
                               "which writes one to instance/secret_key")
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    _check_school_timezone(app.config["SCHOOL_TIMEZONE"])

    from . import api, errors, request_log, security
    from .ops import cli, health, users_cli
    from .pages import auth, courses, history, home, overrides, students, terms
    request_log.register(app)  # first: every later hook and log line sees the request id

    db.initialize(make_database(app.config["DATABASE_URL"]))
    _register_db_hooks(app)
    csrf.init_app(app)

    errors.register(app)
    security.register(app)
    for blueprint in (auth.bp, home.bp, students.bp, overrides.bp, courses.bp, terms.bp,
                      history.bp, health.bp, api.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)  # JSON clients, not forms: authenticated by bearer token (issue 6)
    cli.register(app)
    users_cli.register(app)
    return app


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
