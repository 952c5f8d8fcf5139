"""Settings read from the environment, with defaults that suit a laptop."""
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DEFAULT_DATABASE_URL = "sqlite:///instance/registrar.db"


def _secret_key_from_instance():
    """`make run` writes a key to instance/secret_key; use it when SECRET_KEY is unset."""
    path = INSTANCE_DIR / "secret_key"
    return path.read_text().strip() if path.exists() else None


def load_config():
    """Return the app config dict built from environment variables."""
    debug = os.environ.get("FLASK_DEBUG", "") in {"1", "true", "True"}
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _secret_key_from_instance(),
        "MIGRATIONS_DIR": str(PROJECT_ROOT / "migrations"),
        "DEBUG": debug,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # The school's zone: which day it is there decides the term a page shows first.
        "SCHOOL_TIMEZONE": os.environ.get("SCHOOL_TIMEZONE", "UTC"),
        # Flask's own cookie carries the CSRF token and flash messages; the sign-in
        # cookie (webapp/security.py) uses the same flags.
        "SESSION_COOKIE_SECURE": not debug,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
    }
