"""`flask --app webapp users …`: create, deactivate and activate accounts, set passwords,
issue and revoke API tokens, purge expired sessions and old sign-in failures."""
import secrets
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..models import ROLES
from ..rules import users
from ..rules.records import InvalidRecord

users_cli = AppGroup("users", help="Manage staff accounts and API tokens.")

DEMO_USERS = [("registrar@example.edu", "Rita Registrar", "registrar"),
              ("staff@example.edu", "Sam Staff", "staff")]

password_stdin = click.option("--password-stdin", is_flag=True,
                              help="Read the password from the first line of stdin.")


def _read_password(from_stdin):
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _existing_user(email):
    user = users.find_user(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    return user


def _invalid(exc):
    return click.ClickException("; ".join(exc.errors.values()))


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default=None, help="Display name (default: the part before @).")
@password_stdin
def create_command(email, role, name, password_stdin):
    """Create a user who can sign in at /login."""
    password = _read_password(password_stdin)
    try:
        user = users.create_user(email, name or email.split("@")[0], role, password)
    except InvalidRecord as exc:
        raise _invalid(exc) from exc
    click.echo(f"created {user.role} {user.email}")


@users_cli.command("set-password")
@click.argument("email")
@password_stdin
def set_password_command(email, password_stdin):
    """Set a new password (signs the user out everywhere)."""
    user = _existing_user(email)
    try:
        revoked = users.set_password(user, _read_password(password_stdin))
    except InvalidRecord as exc:
        raise _invalid(exc) from exc
    click.echo(f"password changed for {user.email}: signed out everywhere, "
               f"{revoked} API token(s) revoked")


@users_cli.command("token")
@click.argument("email")
def token_command(email):
    """Print a new API token for the user (the last line of output)."""
    user = _existing_user(email)
    click.echo(f"API token for {user.email} ({user.role}); it is shown only this once:")
    click.echo(users.issue_token(user))


@users_cli.command("revoke-tokens")
@click.argument("email")
def revoke_tokens_command(email):
    """Revoke every API token of the user."""
    count = users.revoke_tokens(_existing_user(email))
    click.echo(f"revoked {count} token(s) for {email}")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email):
    """Refuse the user's sign-ins, sign them out everywhere and revoke their API tokens."""
    user = _existing_user(email)
    revoked = users.deactivate(user)
    click.echo(f"deactivated {user.email}: signed out everywhere, {revoked} API token(s) "
               "revoked; `users activate` lets them sign in again")


@users_cli.command("activate")
@click.argument("email")
def activate_command(email):
    """Let a deactivated user sign in again (revoked API tokens stay revoked)."""
    user = _existing_user(email)
    users.activate(user)
    click.echo(f"activated {user.email}: they can sign in again; API tokens revoked "
               "earlier stay revoked (make a new one with `users token`)")


@users_cli.command("purge")
def purge_command():
    """Delete expired sessions and sign-in failures too old to count (run at `make serve`)."""
    sessions, failures = users.purge_expired()
    click.echo(f"purged {sessions} expired session(s) and {failures} old sign-in failure(s)")


@users_cli.command("demo")
def demo_command():
    """Development only: create a demo registrar and staff user, printing their passwords once."""
    if not current_app.debug:
        raise click.ClickException("demo users are for development only (set FLASK_DEBUG=1)")
    for email, name, role in DEMO_USERS:
        if users.find_user(email):
            continue
        password = secrets.token_urlsafe(9)
        users.create_user(email, name, role, password)
        click.echo(f"demo {role}: sign in as {email} with password {password}")


def register(app):
    app.cli.add_command(users_cli)
