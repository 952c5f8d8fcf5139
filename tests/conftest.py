"""Shared fixtures: every database test runs on SQLite, and on Postgres when it is there.

Postgres: TEST_DATABASE_URL names a server; each test session creates its own database
there (so parallel runs never collide) and drops it at the end. Outside CI a missing
server skips those tests; in CI (CI=true) it fails them.
"""
import os
import shutil
import uuid

import pytest
from peewee import PostgresqlDatabase
from playhouse.db_url import parse

from webapp import create_app
from webapp.config import PROJECT_ROOT
from webapp.db import db, make_database
from webapp.ops import migrate

MIGRATIONS_DIR = str(PROJECT_ROOT / "migrations")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class PostgresServer:
    """Creates and drops throw-away databases on the server TEST_DATABASE_URL names."""

    def __init__(self, url):
        self.url = url
        self.params = parse(url)
        self.maintenance = PostgresqlDatabase(self.params["database"],
                                              **{k: v for k, v in self.params.items()
                                                 if k != "database"})

    def reachable(self):
        try:
            self.maintenance.connect(reuse_if_open=True)
            return True
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
            self.error = exc
            return False

    def create(self):
        name = f"registrar_test_{uuid.uuid4().hex[:12]}"
        self.maintenance.execute_sql(f'CREATE DATABASE "{name}"')
        base = self.url.rsplit("/", 1)[0]
        return name, f"{base}/{name}"

    def drop(self, name):
        self.maintenance.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if IN_CI:
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: Postgres tests must run in CI")
        pytest.skip("TEST_DATABASE_URL not set: Postgres tests skipped (SQLite ran)")
    server = PostgresServer(url)
    if not server.reachable():
        if IN_CI:
            pytest.fail(f"Postgres at {url} is not reachable in CI: {server.error}")
        pytest.skip(f"Postgres at {url} is not reachable: {server.error}")
    yield server
    server.maintenance.close()


def use_database(url):
    """Point the global proxy at `url` and return the Database."""
    database = make_database(url)
    db.initialize(database)
    return database


def release(database):
    """Close every pooled connection so dropped databases and files are not held open."""
    if hasattr(database, "close_all"):
        database.close_all()
    elif not database.is_closed():
        database.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied per test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "registrar.db"
    database = use_database(f"sqlite:///{path}")
    migrate.upgrade(MIGRATIONS_DIR)
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.execute_sql("PRAGMA journal_mode=delete")
    release(database)
    return path


@pytest.fixture(scope="session")
def postgres_migrated(postgres_server):
    """One migrated Postgres database for the session; tests truncate it before use."""
    name, url = postgres_server.create()
    database = use_database(url)
    migrate.upgrade(MIGRATIONS_DIR)
    release(database)
    yield url
    postgres_server.drop(name)


def truncate_all(database):
    tables = [t for t in database.get_tables() if t != "schema_migration"]
    database.execute_sql("TRUNCATE {} RESTART IDENTITY CASCADE".format(
        ", ".join(f'"{t}"' for t in tables)))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """URL of an empty, fully migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "registrar.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_migrated")
    database = use_database(url)
    migrate.upgrade(MIGRATIONS_DIR)  # a no-op unless an earlier test rolled back
    truncate_all(database)
    release(database)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request, tmp_path):
    """URL of a brand-new database with no tables (for migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name, url = server.create()
    yield url
    if db.obj is not None:
        release(db.obj)
    server.drop(name)


@pytest.fixture
def app_settings():
    """Settings the `app` fixture adds; a test module overrides this fixture to change them."""
    return {}


@pytest.fixture
def app(database_url, app_settings):
    """The app on a fresh migrated database; CSRF off (tests that check it turn it on)."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test", **app_settings})
    yield app
    release(db.obj)


@pytest.fixture
def database(app):
    """The app's database (the models are bound to it)."""
    return db.obj


PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """argon2 at its lightest: the tests check behaviour, not hashing cost."""
    from argon2 import PasswordHasher

    from webapp.rules import users
    monkeypatch.setattr(users, "password_hasher",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def make_user(database):
    from webapp.rules import users

    def make(email, role, name=None, password=PASSWORD):
        return users.create_user(email, name or email.split("@")[0].title(), role, password)
    return make


@pytest.fixture
def registrar(make_user):
    return make_user("rita@school.test", "registrar", "Rita Registrar")


@pytest.fixture
def staff_user(make_user):
    return make_user("sam@school.test", "staff", "Sam Staff")


def sign_in(test_client, user):
    """Authenticate a test client as `user`: a session cookie for pages, a bearer token
    for the API (each surface ignores the other's credential)."""
    from webapp import security
    from webapp.rules import users
    test_client.set_cookie(security.SESSION_COOKIE, users.start_session(user))
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {users.issue_token(user)}"
    return test_client


@pytest.fixture
def client(app, registrar):
    """A test client signed in as a registrar (pages and API)."""
    return sign_in(app.test_client(), registrar)


@pytest.fixture
def anon_client(app):
    return app.test_client()


@pytest.fixture
def staff_client(app, staff_user):
    """A test client signed in as read-only staff (pages and API)."""
    return sign_in(app.test_client(), staff_user)


@pytest.fixture
def api_headers(registrar):
    from webapp.rules import users
    return {"Authorization": f"Bearer {users.issue_token(registrar)}"}


@pytest.fixture
def staff_api_headers(staff_user):
    from webapp.rules import users
    return {"Authorization": f"Bearer {users.issue_token(staff_user)}"}


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_student(database):
    """Create a student; unique email by default."""
    from webapp.models import Student
    counter = iter(range(1, 1_000_000))

    def make(name=None, email=None, student_number=None):
        n = next(counter)
        return Student.create(name=name or f"Student {n}", email=email or f"s{n}@example.edu",
                              student_number=student_number)
    return make


@pytest.fixture
def make_course(database):
    """Create a course; unique code by default; capacity None means unlimited. `term` (a
    Term), `meetings` ("mon wed 09:00-10:30 B12" each) and `prerequisites` (groups of
    codes) are optional."""
    from webapp.models import Course
    from webapp.rules.prerequisites import replace_prerequisites
    from webapp.rules.schedule import replace_meetings
    counter = iter(range(1, 1_000_000))

    def make(code=None, title=None, capacity=None, term=None, meetings=(), prerequisites=()):
        n = next(counter)
        course = Course.create(code=code or f"C-{n:03d}", title=title or f"Course {n}",
                               capacity=capacity, term=term)
        replace_meetings(course.id, [meeting(text) for text in meetings])
        replace_prerequisites(course.id, [list(group) for group in prerequisites])
        return course
    return make


def meeting(text):
    """A Meeting from "mon wed 09:00-10:30 [ROOM]"."""
    from webapp.rules.schedule import parse_meeting
    return parse_meeting(text)


@pytest.fixture
def make_term(database):
    """Create a term: make_term("FALL", "2026-09-01", "2026-12-18")."""
    from datetime import date

    from webapp.models import Term

    def make(code, starts_on, ends_on, name=None):
        return Term.create(code=code, name=name or code.title(),
                           starts_on=date.fromisoformat(starts_on),
                           ends_on=date.fromisoformat(ends_on))
    return make


@pytest.fixture
def api(client):
    """A client for the JSON API, sending a registrar's bearer token."""
    return client


@pytest.fixture
def db_snapshot(database):
    """Call it to get every row of every app table: equal snapshots = nothing written."""
    def snapshot():
        tables = sorted(t for t in database.get_tables() if t != "schema_migration")
        return {table: sorted(database.execute_sql(f'SELECT * FROM "{table}"').fetchall(),
                              key=repr)
                for table in tables}
    return snapshot


@pytest.fixture
def full_course(make_student, make_course):
    """A course of `capacity` seats, all taken, with `waiting` students queued in order.
    Returns (course, enrolled ids, waiting ids)."""
    from webapp.rules import enrollment, waitlist

    def make(capacity=2, waiting=3, code=None):
        course = make_course(code=code, capacity=capacity)
        enrolled = [make_student().id for _ in range(capacity)]
        enrollment.enroll_students(course.id, enrolled)
        queue = [make_student().id for _ in range(waiting)]
        for student_id in queue:
            waitlist.join(course.id, student_id)
        return course, enrolled, queue
    return make
