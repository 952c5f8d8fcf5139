"""`flask --app webapp users …` commands."""
import subprocess
from datetime import timedelta

import pytest

from webapp.config import PROJECT_ROOT
from webapp.models import ApiToken, LoginFailure, User, UserSession
from webapp.rules import users

from .conftest import PASSWORD, sign_in


def test_create_reads_the_password_from_stdin(runner):
    result = runner.invoke(args=["users", "create", "Ana@School.test", "--role", "staff",
                                 "--name", "Ana", "--password-stdin"], input=PASSWORD + "\nrest\n")
    assert result.exit_code == 0, result.output
    user = User.get(User.email == "ana@school.test")
    assert user.role == "staff" and user.name == "Ana"
    assert users.authenticate("ana@school.test", PASSWORD, "127.0.0.1") == user


def test_create_refuses_bad_input_and_duplicates(runner, registrar):
    short = runner.invoke(args=["users", "create", "x@school.test", "--role", "staff",
                                "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    dup = runner.invoke(args=["users", "create", registrar.email, "--role", "staff",
                              "--password-stdin"], input=PASSWORD + "\n")
    assert dup.exit_code != 0 and "already exists" in dup.output
    bad_role = runner.invoke(args=["users", "create", "y@school.test", "--role", "admin",
                                   "--password-stdin"], input=PASSWORD + "\n")
    assert bad_role.exit_code != 0
    assert User.select().count() == 1


def test_token_prints_a_working_token_last_and_revoke_kills_it(runner, registrar):
    result = runner.invoke(args=["users", "token", registrar.email])
    token = result.output.strip().splitlines()[-1]
    assert users.user_for_token(token) == registrar
    assert ApiToken.select().where(ApiToken.token_hash == token).count() == 0  # stored hashed
    revoked = runner.invoke(args=["users", "revoke-tokens", registrar.email])
    assert "revoked 1" in revoked.output
    assert users.user_for_token(token) is None


@pytest.mark.parametrize("command", ["token", "deactivate", "activate"])
def test_commands_on_unknown_users_fail_clearly(runner, command):
    result = runner.invoke(args=["users", command, "ghost@school.test"])
    assert result.exit_code != 0 and "no user with email ghost@school.test" in result.output


def test_set_password_signs_the_user_out_everywhere(runner, registrar):
    sid = users.start_session(registrar)
    result = runner.invoke(args=["users", "set-password", registrar.email, "--password-stdin"],
                           input="a brand new passphrase\n")
    assert result.exit_code == 0
    assert users.user_for_session(sid) is None
    assert users.authenticate(registrar.email, "a brand new passphrase", "127.0.0.1")


def test_set_password_also_revokes_that_users_api_tokens(runner, registrar, staff_user):
    token, colleagues = users.issue_token(registrar), users.issue_token(staff_user)
    result = runner.invoke(args=["users", "set-password", registrar.email, "--password-stdin"],
                           input="a brand new passphrase\n")
    assert result.exit_code == 0 and "1 API token(s) revoked" in result.output
    assert users.user_for_token(token) is None
    assert users.user_for_token(colleagues) == staff_user


def sign_in_page(app, email):
    return app.test_client().post("/login", data={"email": email, "password": PASSWORD})


def test_deactivate_ends_sessions_and_tokens_and_refuses_sign_in_until_activated(app, runner,
                                                                                   registrar):
    browser = sign_in(app.test_client(), registrar)  # a session cookie and an API token
    assert browser.get("/").status_code == browser.get("/api/students").status_code == 200
    result = runner.invoke(args=["users", "deactivate", "RITA@school.test"])
    assert result.exit_code == 0 and "1 API token(s) revoked" in result.output
    assert browser.get("/").status_code == 302
    assert browser.get("/api/students").status_code == 401
    assert UserSession.select().count() == 0
    assert ApiToken.select().where(ApiToken.revoked_at.is_null()).count() == 0
    assert sign_in_page(app, registrar.email).status_code == 401
    assert runner.invoke(args=["users", "activate", registrar.email]).exit_code == 0
    assert sign_in_page(app, registrar.email).status_code == 303
    assert browser.get("/api/students").status_code == 401  # revoked tokens stay revoked


def test_purge_deletes_expired_sessions_and_failures_too_old_to_count(runner, registrar):
    live, expired = users.start_session(registrar), users.start_session(registrar)
    now = users.utcnow()
    (UserSession.update(expires_at=now - timedelta(seconds=1))
     .where(UserSession.token_hash == users.digest(expired)).execute())
    LoginFailure.insert_many([
        {"email": "old@school.test", "address": "10.0.0.1",
         "at": now - users.ADDRESS_WINDOW - timedelta(minutes=1)},
        {"email": "recent@school.test", "address": "10.0.0.1",
         "at": now - users.ADDRESS_WINDOW + timedelta(minutes=1)}]).execute()
    result = runner.invoke(args=["users", "purge"])
    assert result.exit_code == 0
    assert "purged 1 expired session(s) and 1 old sign-in failure(s)" in result.output
    assert [s.token_hash for s in UserSession.select()] == [users.digest(live)]
    assert [f.email for f in LoginFailure.select()] == ["recent@school.test"]


def test_serving_purges_before_the_server_starts():
    make = subprocess.run(["make", "-n", "serve"], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, check=True).stdout
    assert "users purge" in make and make.index("users purge") < make.index("gunicorn")
    entrypoint = (PROJECT_ROOT / "docker-entrypoint.sh").read_text()
    assert entrypoint.index("users purge") < entrypoint.index('exec "$@"')


def test_demo_users_only_in_development_and_only_once(runner, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "0")
    refused = runner.invoke(args=["users", "demo"])
    assert refused.exit_code != 0 and "development only" in refused.output
    monkeypatch.setenv("FLASK_DEBUG", "1")
    first = runner.invoke(args=["users", "demo"])
    assert first.output.count("sign in as") == 2
    password = first.output.split("registrar@example.edu with password ")[1].split()[0]
    assert users.authenticate("registrar@example.edu", password, "127.0.0.1").can_edit
    assert runner.invoke(args=["users", "demo"]).output == ""
