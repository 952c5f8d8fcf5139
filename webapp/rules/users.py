"""Staff accounts: passwords (argon2), sign-in throttling, server-side sessions, API tokens.

Session ids and API tokens are random secrets handed to the client once; the database
keeps only their SHA-256, so a leaked database cannot be replayed as a login.
"""
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..db import fetch_all
from ..models import ROLES, ApiToken, LoginFailure, User, UserSession, utcnow
from .records import DuplicateRecord, InvalidRecord, clean_student

password_hasher = PasswordHasher()

ACCOUNT_FAILURE_LIMIT = 10            # failures per account ...
ACCOUNT_WINDOW = timedelta(minutes=15)  # ... within this window lock the account
ADDRESS_FAILURE_LIMIT = 100           # failures per client address ...
ADDRESS_WINDOW = timedelta(hours=1)   # ... within this window block the address
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
# Verified against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = password_hasher.hash(secrets.token_hex(16))


class SignInRefused(Exception):
    """Wrong email or password (deliberately not saying which)."""


class SignInThrottled(Exception):
    """Too many recent failures for this account or address."""


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(email, name, role, password):
    """Create an account; raises InvalidRecord or DuplicateRecord."""
    errors = {}
    try:  # people's names and emails follow the same rules as students'
        person = clean_student({"name": name, "email": email}, partial=True)
    except InvalidRecord as exc:
        person, errors = {}, dict(exc.errors)
    if role not in ROLES:
        errors["role"] = f"Role must be one of: {', '.join(ROLES)}."
    errors.update(_password_errors(password))
    if errors:
        raise InvalidRecord(errors)
    if User.select().where(User.email == person["email"]).exists():
        raise DuplicateRecord({"email": "A user with this email already exists."})
    return User.create(email=person["email"], name=person["name"], role=role,
                       password_hash=password_hasher.hash(password))


def _password_errors(password):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return {"password": f"Password must be at least {MIN_PASSWORD_LENGTH} characters."}
    return {}


def set_password(user, password):
    """Change the password and sign the user out everywhere."""
    if _password_errors(password):
        raise InvalidRecord(_password_errors(password))
    user.password_hash = password_hasher.hash(password)
    user.save()
    revoke_sessions(user)


def find_user(email):
    return User.get_or_none(User.email == (email or "").strip().lower())


def _recent_failures(where, window):
    return LoginFailure.select().where(where, LoginFailure.at > utcnow() - window).count()


def authenticate(email, password, address):
    """Return the active User for these credentials, or raise SignInRefused/SignInThrottled.

    An account over its failure limit is refused even with the right password; the
    per-address limit is far higher so a shared school office is not locked out together.
    The counts live in the database, shared by every worker process.
    """
    email = (email or "").strip().lower()[:254]
    address = (address or "unknown")[:64]
    if (_recent_failures(LoginFailure.email == email, ACCOUNT_WINDOW) >= ACCOUNT_FAILURE_LIMIT
            or _recent_failures(LoginFailure.address == address, ADDRESS_WINDOW)
            >= ADDRESS_FAILURE_LIMIT):
        raise SignInThrottled()
    user = find_user(email)
    if not _password_matches(user, password) or not user.active:
        LoginFailure.create(email=email, address=address)
        raise SignInRefused()
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
        user.save()
    return user


def _password_matches(user, password):
    try:
        return password_hasher.verify(user.password_hash if user else _DUMMY_HASH,
                                      password or "") and user is not None
    except (VerificationError, InvalidHashError):
        return False


def start_session(user):
    """A new session id for `user` (the cookie value); only its digest is stored."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    UserSession.create(token_hash=digest(sid), user=user, created_at=now,
                       expires_at=now + SESSION_LIFETIME)
    return sid


def user_for_session(sid):
    """The active user a live session id belongs to, or None (one query)."""
    if not sid:
        return None
    return _user_row("""SELECT {} FROM user_sessions s JOIN users u ON u.id = s.user_id
                        WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = ?""",
                     digest(sid), utcnow(), True)


def end_session(sid):
    if sid:
        UserSession.delete().where(UserSession.token_hash == digest(sid)).execute()


def revoke_sessions(user):
    """Sign the user out everywhere."""
    return UserSession.delete().where(UserSession.user == user).execute()


def issue_token(user):
    """A new API token for `user`; shown once, stored as its digest."""
    token = secrets.token_urlsafe(32)
    ApiToken.create(token_hash=digest(token), user=user)
    return token


def user_for_token(token):
    """The active user an unrevoked API token belongs to, or None (one query)."""
    if not token:
        return None
    return _user_row("""SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id
                        WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.active = ?""",
                     digest(token), True)


_USER_FIELDS = ("id", "email", "name", "role", "password_hash", "active")


def _user_row(sql, *params):
    """Every request looks its user up: hand-written SQL (db.fetch_all) keeps that cheap."""
    rows = fetch_all(sql.format(", ".join(f"u.{name}" for name in _USER_FIELDS)), *params)
    return User(**dict(zip(_USER_FIELDS, rows[0]))) if rows else None


def revoke_tokens(user):
    return (ApiToken.update(revoked_at=utcnow())
            .where(ApiToken.user == user, ApiToken.revoked_at.is_null())
            .execute())
