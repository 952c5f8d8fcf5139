"""Settings read from the environment, with defaults that suit a laptop."""
import os
import re
from pathlib import Path

import click

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DEFAULT_DATABASE_URL = "sqlite:///instance/registrar.db"


class ConfigError(click.ClickException, RuntimeError):
    """A setting that stops the app from starting. A ClickException, so `flask --app
    webapp …` prints this one line and exits 1 (Flask shows a traceback for any other error
    while loading the app); a RuntimeError for everyone else (gunicorn, tests)."""


class MissingSecretKey(ConfigError):
    """No SECRET_KEY outside debug and tests."""

    def __init__(self):
        super().__init__("SECRET_KEY is not set: export SECRET_KEY, or run `make run` "
                         "which writes one to instance/secret_key")


def _secret_key_from_instance():
    """`make run` writes a key to instance/secret_key; use it when SECRET_KEY is unset."""
    path = INSTANCE_DIR / "secret_key"
    return path.read_text().strip() if path.exists() else None


def _trusted_proxies():
    """How many reverse proxies in front of the app append X-Forwarded-* headers (0: none,
    trust no such header; a client could write them)."""
    value = os.environ.get("TRUSTED_PROXIES", "").strip() or "0"
    if not re.fullmatch(r"[0-9]+", value):
        raise ConfigError(f"TRUSTED_PROXIES must be the number of reverse proxies in front "
                           f"of the app (0, 1, 2 …), not {value!r}")
    return int(value)


def _megabytes(name, default):
    value = os.environ.get(name, "").strip() or str(default)
    if not re.fullmatch(r"[1-9][0-9]*", value):
        raise ConfigError(f"{name} must be a whole number of megabytes, not {value!r}")
    return int(value) * 1024 * 1024


def load_config():
    """Return the app config dict built from environment variables."""
    debug = os.environ.get("FLASK_DEBUG", "") in {"1", "true", "True"}
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _secret_key_from_instance(),
        "MIGRATIONS_DIR": str(PROJECT_ROOT / "migrations"),
        "DEBUG": debug,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "TRUSTED_PROXIES": _trusted_proxies(),
        # The CSRF token lives in the Flask session, which sign-in and sign-out clear; a
        # time limit on top only turned a tick on a page left open for an hour into a 400.
        "WTF_CSRF_TIME_LIMIT": None,
        # Mail to promoted students (ops/mailer.py); unset: listed on "Messages not sent".
        "SMTP_URL": os.environ.get("SMTP_URL", "").strip() or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "").strip() or "registrar@localhost",
        # Jobs (ops/jobs.py): huey keeps its queue in Redis when REDIS_URL is set, else in
        # the SQLite file JOBS_DB; JOBS_IMMEDIATE runs each job inside the call that queues
        # it (None: only under TESTING).
        "REDIS_URL": os.environ.get("REDIS_URL", "").strip() or None,
        "JOBS_DB": os.environ.get("JOBS_DB", "").strip() or str(INSTANCE_DIR / "jobs.db"),
        "JOBS_IMMEDIATE": None,
        # OneRoster uploads: kept (owner-only) for their jobs; the largest zip accepted.
        "IMPORTS_DIR": os.environ.get("IMPORTS_DIR", "").strip() or str(INSTANCE_DIR / "imports"),
        "IMPORT_MAX_BYTES": _megabytes("IMPORT_MAX_MB", 200),
        # The school's zone: which day it is there decides the term a page shows first.
        "SCHOOL_TIMEZONE": os.environ.get("SCHOOL_TIMEZONE", "UTC"),
        # Flask's own cookie carries the CSRF token and flash messages; the sign-in
        # cookie (webapp/security.py) uses the same flags.
        "SESSION_COOKIE_SECURE": not debug,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
    }
