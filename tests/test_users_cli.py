"""`flask --app webapp users …` commands."""
from webapp.models import ApiToken, User
from webapp.rules import users

from .conftest import PASSWORD


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


def test_commands_on_unknown_users_fail_clearly(runner):
    result = runner.invoke(args=["users", "token", "ghost@school.test"])
    assert result.exit_code != 0 and "no user with email ghost@school.test" in result.output


def test_set_password_signs_the_user_out_everywhere(runner, registrar):
    sid = users.start_session(registrar)
    result = runner.invoke(args=["users", "set-password", registrar.email, "--password-stdin"],
                           input="a brand new passphrase\n")
    assert result.exit_code == 0
    assert users.user_for_session(sid) is None
    assert users.authenticate(registrar.email, "a brand new passphrase", "127.0.0.1")


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
