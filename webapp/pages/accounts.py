"""Accounts in the browser.

`accounts` (/accounts/…, registrars only): list staff accounts, create one, change a role,
deactivate/activate, reset a password, revoke someone's API tokens. `account` (/account…,
everyone signed in): change one's own password, name and revoke one's own API tokens; and
the public page a one-time set-password link opens. Secrets (links, tokens) are rendered
in the POST's own answer, once, never put in a flash or a URL of ours.
"""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ..models import User
from ..rules import accounts, users
from ..rules.wording import count_of
from .auth import signed_in
from .forms import RecordForm
from .ui import get_or_404

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
own = Blueprint("account", __name__, url_prefix="/account")

ROLE_CHOICES = [SelectChoice("staff", "Staff (can view)"),
                SelectChoice("registrar", "Registrar (can change)")]
REGISTRARS_ONLY = ("Only registrars can manage staff accounts. Your own password and API "
                   "tokens are under Your account.")


def _new_password(label):
    return PasswordField(label, render_kw={"autocomplete": "new-password"})


class AccountForm(RecordForm):
    record_fields = ("name", "email", "role")
    name = StringField("Name")
    email = StringField("Email", render_kw={"type": "email", "autocomplete": "off"})
    role = SelectField("Role", choices=ROLE_CHOICES, default="staff")


class RoleForm(RecordForm):
    record_fields = ("role",)
    role = SelectField("Role", choices=ROLE_CHOICES)


class NewPasswordForm(RecordForm):
    record_fields = ("password", "confirm_password")
    password = _new_password(f"New password (at least {users.MIN_PASSWORD_LENGTH} "
                             "characters)")
    confirm_password = _new_password("New password again")


class ChangePasswordForm(NewPasswordForm):
    record_fields = ("current_password", "password", "confirm_password")
    current_password = PasswordField("Current password",
                                     render_kw={"autocomplete": "current-password"})


class TokenForm(RecordForm):
    record_fields = ("name",)
    name = StringField("Name", render_kw={"autocomplete": "off"})


@bp.before_request
def registrars_only():
    if not g.user.can_edit:
        abort(403, REGISTRARS_ONLY)


@bp.get("/")
def index():
    return render_template("accounts/index.html", accounts=list(accounts.staff_accounts()))


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = AccountForm()
    if request.method == "POST" and (made := form.save(
            lambda v: accounts.create_account(v["email"], v["name"], v["role"]))):
        user, secret = made
        return _link_page(user, secret, f"Created the account of {user.name}.")
    return render_template("accounts/new.html", form=form), 400 if form.errors else 200


def _link_page(user, secret, done):
    """The one-time link, shown in this answer only."""
    link = url_for("account.set_password", secret=secret, _external=True)
    return render_template("accounts/link.html", user=user, link=link, done=done,
                           hours=int(accounts.LINK_LIFETIME.total_seconds() // 3600))


def _account_or_404(user_id):
    account = accounts.staff_accounts().where(User.id == user_id).first()
    return account or get_or_404(User, user_id)  # the 404 page


@bp.get("/<int:user_id>")
def show(user_id):
    account = _account_or_404(user_id)
    return render_template("accounts/show.html", account=account,
                           role_form=RoleForm(data={"role": account.role}))


def _back_to(account, message, category="success"):
    flash(message, category)
    return redirect(url_for("accounts.show", user_id=account.id), 303)


@bp.post("/<int:user_id>/role")
def change_role(user_id):
    account = get_or_404(User, user_id)
    form = RoleForm()
    try:
        if form.save(lambda v: accounts.change_role(account, v["role"], g.user) or True):
            return _back_to(account, f"{account.name} is now {account.role}.")
    except accounts.AccountRefused as refused:
        return _back_to(account, str(refused), "error")
    return render_template("accounts/show.html", account=_account_or_404(user_id),
                           role_form=form), 400


# Each action that destroys something: GET asks (a page of its own), POST does it.
CONFIRMS = {
    "deactivate": ("Deactivate {name}?",
                   "{name} will not be able to sign in; they are signed out everywhere and "
                   "their API tokens stop working. You can activate the account again later "
                   "(the tokens stay revoked).", "Deactivate"),
    "revoke-tokens": ("Revoke every API token of {name}?",
                      "Every program using one of {name}'s API tokens loses access at once.",
                      "Revoke tokens"),
    "reset-password": ("Reset the password of {name}?",
                       "Their current password stops working at once, they are signed out "
                       "everywhere and their API tokens are revoked. You get a one-time link "
                       "to send them so they can choose a new one.", "Reset password"),
}


def _confirm(account, action):
    heading, text, button = (part.format(name=account.name) for part in CONFIRMS[action])
    return render_template("accounts/confirm.html", heading=heading, text=text, button=button,
                           cancel_url=url_for("accounts.show", user_id=account.id))


@bp.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate(user_id):
    account = get_or_404(User, user_id)
    if request.method == "GET":
        return _confirm(account, "deactivate")
    try:
        revoked = accounts.deactivate(account, g.user)
    except accounts.AccountRefused as refused:
        return _back_to(account, str(refused), "error")
    return _back_to(account, f"Deactivated {account.name}: signed out everywhere, "
                             f"{_tokens(revoked)} revoked.")


@bp.post("/<int:user_id>/activate")
def activate(user_id):
    account = get_or_404(User, user_id)
    users.activate(account)
    return _back_to(account, f"Activated {account.name}: they can sign in again.")


@bp.route("/<int:user_id>/revoke-tokens", methods=["GET", "POST"])
def revoke_tokens(user_id):
    account = get_or_404(User, user_id)
    if request.method == "GET":
        return _confirm(account, "revoke-tokens")
    revoked = users.revoke_tokens(account)
    return _back_to(account, f"Revoked {_tokens(revoked)} of {account.name}.")


@bp.route("/<int:user_id>/reset-password", methods=["GET", "POST"])
def reset_password(user_id):
    account = get_or_404(User, user_id)
    if request.method == "GET":
        return _confirm(account, "reset-password")
    secret = accounts.reset_password(account)
    return _link_page(account, secret, f"Reset the password of {account.name}.")


def _tokens(count):
    return count_of(count, "API token")


@own.route("", methods=["GET", "POST"])
def mine():
    """Your account: change your password, sign out everywhere, your API tokens."""
    form = ChangePasswordForm()
    if request.method == "POST" and form.save(lambda v: accounts.change_own_password(
            g.user, v["current_password"], v["password"], v["confirm_password"]) is not None):
        response = signed_in(g.user, url_for("account.mine"))  # every other session ended
        flash("Your password is changed. You are signed out on every other device and "
              "your API tokens are revoked.", "success")
        return response
    return render_template("accounts/mine.html", form=form), 400 if form.errors else 200


@own.route("/tokens", methods=["GET", "POST"])
def tokens():
    form = TokenForm()
    secret = None
    if request.method == "POST":
        secret = form.save(lambda v: accounts.issue_named_token(g.user, v["name"]))
        if secret:
            form = TokenForm(formdata=None)
    status = 400 if form.errors else 201 if secret else 200
    return render_template("accounts/tokens.html", form=form, secret=secret,
                           tokens=accounts.own_tokens(g.user)), status


@own.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
def revoke_token(token_id):
    token = accounts.own_token(g.user, token_id)
    if token is None:
        abort(404, description=f"You have no API token with id {token_id}.")
    if request.method == "GET":
        return render_template(
            "accounts/confirm.html", heading=f"Revoke the token “{token.name}”?",
            text="Any program using it loses access at once.", button="Revoke token",
            cancel_url=url_for("account.tokens"))
    accounts.revoke_token(token)
    flash(f"Revoked the token “{token.name}”.", "success")
    return redirect(url_for("account.tokens"), 303)


@own.route("/set-password/<secret>", methods=["GET", "POST"])
def set_password(secret):
    """The page a one-time link opens (no sign-in needed: the link is the credential)."""
    try:
        user = accounts.link_user(secret)
    except accounts.LinkInvalid:
        return render_template("accounts/link_invalid.html"), 404
    form = NewPasswordForm()
    if request.method == "POST" and form.save(lambda v: _use_link(secret, v)):
        flash(f"Your password is set, {user.name}. Sign in with it now.", "success")
        return redirect(url_for("auth.login"), 303)
    return render_template("accounts/set_password.html", form=form, user=user), \
        400 if form.errors else 200


def _use_link(secret, values):
    try:
        return accounts.set_password_with_link(secret, values["password"],
                                               values["confirm_password"])
    except accounts.LinkInvalid:
        abort(404, description="This link has just been used or has expired.")
