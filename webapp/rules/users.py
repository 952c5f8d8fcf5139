"""Staff accounts: passwords (argon2), sign-in throttling, server-side sessions, API tokens.

Session ids and API tokens are random secrets handed to the client once; the database
keeps only their SHA-256, so a leaked database cannot be replayed as a login.
"""
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..db import fetch_all, write_transaction
from ..models import ROLES, ApiToken, LoginFailure, User, UserSession, utcnow
from .records import DuplicateRecord, InvalidRecord, clean_student

password_hasher = PasswordHasher()

ACCOUNT_FAILURE_LIMIT = 10            # failures per account ...
ACCOUNT_WINDOW = timedelta(minutes=15)  # ... within this window lock the account
ADDRESS_FAILURE_LIMIT = 100           # failures per client address ...
ADDRESS_WINDOW = timedelta(hours=1)   # ... within this window slow the address down:
# one attempt per ADDRESS_SLOWDOWN after its latest failure (the same pace as the limit),
# so a guesser sharing a school's address delays colleagues by seconds, never locks them out.
ADDRESS_SLOWDOWN = ADDRESS_WINDOW / ADDRESS_FAILURE_LIMIT
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
MAX_EMAIL_LENGTH = 254
# Verified against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = password_hasher.hash(secrets.token_hex(16))


class SignInRefused(Exception):
    """Wrong email or password (deliberately not saying which)."""


class SignInThrottled(Exception):
    """Too many recent failures: `reason` is ACCOUNT_LOCKED or ADDRESS_SLOWED, and
    `retry_after` the timedelta until a sign-in will be considered again."""

    def __init__(self, reason, retry_after):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


ACCOUNT_LOCKED = "account locked"
ADDRESS_SLOWED = "address slowed"


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
    """Change the password, sign the user out everywhere and revoke their API tokens
    (whoever knew the old password may have made one)."""
    if _password_errors(password):
        raise InvalidRecord(_password_errors(password))
    user.password_hash = password_hasher.hash(password)
    return _save_and_sign_out_everywhere(user)


def deactivate(user):
    """Refuse the user's sign-ins, end their sessions and revoke their API tokens."""
    user.active = False
    return _save_and_sign_out_everywhere(user)


def _save_and_sign_out_everywhere(user):
    """Save `user`, end every session and revoke every API token in one transaction;
    return how many tokens were revoked."""
    with write_transaction():
        user.save()
        revoke_sessions(user)
        return revoke_tokens(user)


def activate(user):
    """Let a deactivated user sign in again (revoked API tokens stay revoked)."""
    user.active = True
    user.save()


def normalise_email(email):
    """The one spelling of an email used both to find its account and to count its failures."""
    return (email or "").strip().lower()


def find_user(email):
    return User.get_or_none(User.email == normalise_email(email))


def _newest_failures(where, window, limit):
    """Times of the `limit` newest failures matching `where` within `window`, newest first."""
    return [failure.at for failure in LoginFailure.select(LoginFailure.at)
            .where(where, LoginFailure.at > utcnow() - window)
            .order_by(LoginFailure.at.desc()).limit(limit)]


def _check_throttles(email, address):
    """Raise SignInThrottled when this account is locked or this address must wait."""
    now = utcnow()
    account = _newest_failures(LoginFailure.email == email, ACCOUNT_WINDOW,
                               ACCOUNT_FAILURE_LIMIT)
    if len(account) == ACCOUNT_FAILURE_LIMIT:  # until the oldest of them leaves the window
        raise SignInThrottled(ACCOUNT_LOCKED, account[-1] + ACCOUNT_WINDOW - now)
    address_failures = _newest_failures(LoginFailure.address == address, ADDRESS_WINDOW,
                                        ADDRESS_FAILURE_LIMIT)
    if (len(address_failures) == ADDRESS_FAILURE_LIMIT
            and address_failures[0] + ADDRESS_SLOWDOWN > now):
        raise SignInThrottled(ADDRESS_SLOWED, address_failures[0] + ADDRESS_SLOWDOWN - now)


def authenticate(email, password, address):
    """Return the active User for these credentials, or raise SignInRefused/SignInThrottled
    (InvalidRecord for an email longer than any account's).

    An account over its failure limit is refused even with the right password. An address
    over its (far higher) limit is only slowed down, so a school office sharing one address
    is not locked out together. The counts live in the database, shared by every worker.
    """
    email = normalise_email(email)
    if len(email) > MAX_EMAIL_LENGTH:  # no account has it; and a cut key would dodge the count
        raise InvalidRecord({"email": f"An email address has at most {MAX_EMAIL_LENGTH} "
                                      "characters."})
    address = (address or "unknown")[:64]
    _check_throttles(email, address)
    user = User.get_or_none(User.email == email)
    if not password_matches(user, password) or not user.active:
        LoginFailure.create(email=email, address=address)
        raise SignInRefused()
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
        user.save()
    return user


def password_matches(user, password):
    """Does `password` open `user`'s account (None: checked against a dummy, same cost)?"""
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


def issue_token(user, name=""):
    """A new API token for `user` (called `name` on their tokens page); shown once, stored
    as its digest."""
    token = secrets.token_urlsafe(32)
    ApiToken.create(token_hash=digest(token), user=user, name=name)
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


def purge_expired():
    """Delete expired sessions and failures too old to count; return (sessions, failures)."""
    now = utcnow()
    sessions = UserSession.delete().where(UserSession.expires_at <= now).execute()
    failures = (LoginFailure.delete()
                .where(LoginFailure.at <= now - max(ACCOUNT_WINDOW, ADDRESS_WINDOW))
                .execute())
    return sessions, failures
