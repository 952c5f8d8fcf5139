"""Account chores done in the browser: one-time set-password links, roles, activation,
changing one's own password, named API tokens.

The passwords, sessions and tokens themselves are users.py's; this module only combines
them. Nothing here is enrollment history.
"""
import secrets
from datetime import timedelta

from peewee import fn

from ..db import write_transaction
from ..models import ROLES, ApiToken, SetPasswordLink, User, utcnow
from . import users
from .records import InvalidRecord

LINK_LIFETIME = timedelta(hours=24)
MAX_TOKEN_NAME_LENGTH = 100


class AccountRefused(Exception):
    """A change a registrar may not make (e.g. to their own role or activation)."""


class LinkInvalid(Exception):
    """A set-password link that is unknown, used, expired, or for a deactivated account."""


def staff_accounts():
    """Every account, active ones first, by name, each with `.live_tokens` (how many API
    tokens still work). Unexecuted: `.where(User.id == n)` gives one account."""
    live_tokens = (ApiToken.select(fn.COUNT(ApiToken.id))
                   .where(ApiToken.user == User.id, ApiToken.revoked_at.is_null()))
    return (User.select(User, live_tokens.alias("live_tokens"))
            .order_by(User.active.desc(), User.name, User.id))


def create_account(email, name, role):
    """A new account nobody can sign in to yet, and the one-time link (its secret) that lets
    its owner choose a password. Raises InvalidRecord/DuplicateRecord."""
    with write_transaction():
        user = users.create_user(email, name, role, _unguessable_password())
        return user, issue_link(user)


def _unguessable_password():
    """Long enough that nobody knows it: the account waits for its link."""
    return secrets.token_urlsafe(32)


def issue_link(user):
    """A new one-time link secret for `user`, good for LINK_LIFETIME; earlier unused links
    stop working (only the newest link a registrar handed out counts)."""
    now = utcnow()
    secret = secrets.token_urlsafe(32)
    with write_transaction():
        (SetPasswordLink.update(used_at=now)
         .where(SetPasswordLink.user == user, SetPasswordLink.used_at.is_null()).execute())
        SetPasswordLink.create(token_hash=users.digest(secret), user=user, created_at=now,
                               expires_at=now + LINK_LIFETIME)
    return secret


def reset_password(user):
    """The old password stops working at once (and the user is signed out everywhere,
    their tokens revoked); return a new one-time link secret."""
    with write_transaction():
        users.set_password(user, _unguessable_password())
        return issue_link(user)


def _live_link(secret):
    """The unused, unexpired link for `secret` whose account is active."""
    return (SetPasswordLink.select(SetPasswordLink, User).join(User)
            .where(SetPasswordLink.token_hash == users.digest(secret or ""),
                   SetPasswordLink.used_at.is_null(),
                   SetPasswordLink.expires_at > utcnow(), User.active == True)  # noqa: E712
            .first())


def link_user(secret):
    """The account a live link lets someone set the password of; raises LinkInvalid."""
    link = _live_link(secret)
    if link is None:
        raise LinkInvalid()
    return link.user


def set_password_with_link(secret, password, confirm):
    """Use the link once: set the password (signing out everywhere); raise LinkInvalid if
    it is no longer live, InvalidRecord for a bad password (the link stays usable)."""
    _check_confirmation(password, confirm)
    with write_transaction():
        link = _live_link(secret)
        if link is None:
            raise LinkInvalid()
        used = (SetPasswordLink.update(used_at=utcnow())
                .where(SetPasswordLink.id == link.id, SetPasswordLink.used_at.is_null())
                .execute())
        if not used:  # another request used it first
            raise LinkInvalid()
        users.set_password(link.user, password)
        return link.user


def _not_yourself(user, actor, what):
    if user.id == actor.id:
        raise AccountRefused(f"You cannot {what} your own account: ask another registrar.")


def change_role(user, role, actor):
    if role not in ROLES:
        raise InvalidRecord({"role": f"Role must be one of: {', '.join(ROLES)}."})
    _not_yourself(user, actor, "change the role of")
    user.role = role
    user.save()


def deactivate(user, actor):
    """users.deactivate, but never one's own account (nobody would be left to undo it)."""
    _not_yourself(user, actor, "deactivate")
    return users.deactivate(user)


def change_own_password(user, current, new, confirm):
    """Check the current password, then set the new one (signing out everywhere and revoking
    API tokens, as any password change does). Errors per field in InvalidRecord."""
    if not users.password_matches(user, current):
        raise InvalidRecord({"current_password": "That is not your current password."})
    _check_confirmation(new, confirm)
    return users.set_password(user, new)


def _check_confirmation(password, confirm):
    """The password typed twice must match (a typo would lock the owner out)."""
    if password != confirm:
        raise InvalidRecord({"confirm_password": "The two new passwords differ."})


def own_tokens(user):
    """The user's API tokens, newest first (revoked ones too, for the record)."""
    return list(user.tokens.order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


def issue_named_token(user, name):
    """A new API token called `name`; the secret, shown once."""
    name = (name or "").strip()
    if not name:
        raise InvalidRecord({"name": "Name the token, e.g. after the system that will use it."})
    if len(name) > MAX_TOKEN_NAME_LENGTH:
        raise InvalidRecord({"name": f"A name has at most {MAX_TOKEN_NAME_LENGTH} characters."})
    return users.issue_token(user, name)


def own_token(user, token_id):
    """The user's own token with this id, or None (someone else's is None too)."""
    return user.tokens.where(ApiToken.id == token_id).first()


def revoke_token(token):
    """Revoke one token; True if it was live."""
    return bool(ApiToken.update(revoked_at=utcnow())
                .where(ApiToken.id == token.id, ApiToken.revoked_at.is_null()).execute())
