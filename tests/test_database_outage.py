"""Losing the database: 503 with Retry-After (JSON on /api, the layout's page elsewhere),
one warning line per failure, and service again as soon as the database is back."""
import logging
import shutil
import sqlite3
from urllib.parse import urlsplit

import peewee
import psycopg.errors
import pytest

from webapp import create_app
from webapp.db import db, is_unavailable
from webapp.rules import users

from .conftest import PASSWORD, release, sign_in
from .tcp_proxy import TcpProxy

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
postgres_only = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def make_app(url):
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})


def signed_in_client(app):
    user = users.create_user("rita@school.test", "Rita Registrar", "registrar", PASSWORD)
    return sign_in(app.test_client(), user)


def assert_served(client):
    assert client.get("/students/").status_code == 200
    assert client.get("/api/students").status_code == 200


def assert_unavailable(client, caplog):
    """A page and an API call each get 503 + Retry-After and log exactly one warning line."""
    caplog.clear()
    page, api = client.get("/students/"), client.get("/api/students")

    assert (page.status_code, api.status_code) == (503, 503)
    assert all(int(response.headers["Retry-After"]) > 0 for response in (page, api))
    assert b'<nav aria-label="Main">' in page.data and b"try again" in page.data
    assert api.is_json and "database" in api.get_json()["error"]
    app_records = [r for r in caplog.records if r.name == "webapp"]
    assert [r.levelname for r in app_records] == ["WARNING", "WARNING"]
    for record in app_records:
        assert record.getMessage().startswith("database unavailable: ")
        assert "\n" not in record.getMessage() and not record.exc_info


@pytest.fixture
def proxied_app(database_url):
    """The app reaching Postgres through a proxy the test can stop and start."""
    parts = urlsplit(database_url)
    proxy = TcpProxy((parts.hostname, parts.port or 5432)).start()
    app = make_app(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl())
    yield app, proxy
    release(db.obj)
    proxy.stop()


@postgres_only
def test_postgres_going_away_answers_503_and_its_return_is_served(proxied_app, caplog):
    app, proxy = proxied_app
    client = signed_in_client(app)
    assert_served(client)  # pooled connections now exist, and will break

    proxy.stop()
    assert_unavailable(client, caplog)
    assert_unavailable(client, caplog)  # still down: still 503, still one line each

    proxy.start()
    assert_served(client)


@sqlite_only
def test_sqlite_file_that_cannot_be_opened_answers_503_until_it_can(database_url, tmp_path,
                                                                    caplog):
    path = tmp_path / "volume" / "registrar.db"
    path.mkdir(parents=True)  # a directory where the database file should be
    app = make_app(f"sqlite:///{path}")
    try:
        assert_unavailable(app.test_client(), caplog)

        path.rmdir()
        shutil.copy(urlsplit(database_url).path.removeprefix("/"), path)
        assert_served(signed_in_client(app))
    finally:
        release(db.obj)


def test_a_database_error_that_is_a_bug_stays_a_500_with_its_traceback(app, client, caplog):
    @app.get("/api/broken-sql")
    def broken_sql():
        db.execute_sql("SELECT * FROM no_such_table")

    response = client.get("/api/broken-sql")

    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert [r.exc_info is not None for r in caplog.records
            if r.getMessage() == "unhandled exception"] == [True]


def sqlite_error(path, sql):
    try:
        sqlite3.connect(path, timeout=0).execute(sql)
    except sqlite3.Error as error:
        return peewee.OperationalError(error)
    raise AssertionError(f"{sql} on {path} did not fail")


def locked_sqlite_error(tmp_path):
    holder = sqlite3.connect(tmp_path / "held.db", isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        return sqlite_error(tmp_path / "held.db", "SELECT * FROM t")
    finally:
        holder.close()


@pytest.mark.parametrize("make_error, unavailable", [
    (lambda tmp: sqlite_error(tmp, "SELECT 1"), True),  # a directory: cannot open
    (locked_sqlite_error, True),
    (lambda tmp: sqlite_error(":memory:", "SELECT * FROM no_such_table"), False),
    (lambda tmp: peewee.OperationalError(psycopg.errors.AdminShutdown("shutting down")), True),
    (lambda tmp: peewee.OperationalError(psycopg.OperationalError("connection refused")), True),
    (lambda tmp: peewee.InterfaceError(psycopg.InterfaceError("connection is closed")), True),
    (lambda tmp: peewee.OperationalError(psycopg.errors.ProgramLimitExceeded("too many")),
     False),
    (lambda tmp: peewee.InterfaceError("database must be initialized"), False),
    (lambda tmp: ValueError("not a database error"), False),
], ids=["sqlite-cantopen", "sqlite-locked", "sqlite-no-table", "pg-shutdown", "pg-refused",
        "pg-closed", "pg-too-many-parameters", "peewee-misuse", "other"])
def test_only_a_database_that_cannot_answer_counts_as_unavailable(make_error, unavailable,
                                                                  tmp_path):
    assert is_unavailable(make_error(tmp_path)) is unavailable


def test_the_page_renders_when_the_sign_in_lookup_is_what_fails(client, monkeypatch, caplog):
    """The layout must not need the database: here the connection opened, then the
    session lookup lost the server."""
    def lost_server(sid):
        raise peewee.OperationalError(psycopg.OperationalError("server closed the connection"))
    monkeypatch.setattr(users, "user_for_session", lost_server)

    response = client.get("/students/")

    assert response.status_code == 503 and response.headers["Retry-After"]
    assert b'<nav aria-label="Main">' in response.data and b"Sign out" not in response.data
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
