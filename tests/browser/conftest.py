"""Playwright fixtures: the app served from a thread on a free port, its own SQLite file
(a fresh migrated copy for every test), and Debian's Chromium.

Every page starts signed in as a registrar (`signed_in_context`); tests navigate through
`base_url` and never name the host.
"""
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server
from werkzeug.wsgi import ClosingIterator

from tests.conftest import release
from webapp import create_app
from webapp.db import db

SYSTEM_CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}
    if os.path.exists(SYSTEM_CHROMIUM):
        args["executable_path"] = SYSTEM_CHROMIUM
    return args


@pytest.fixture(scope="session")
def live_db_path(tmp_path_factory):
    return tmp_path_factory.mktemp("live") / "registrar.db"


class InFlight:
    """WSGI middleware counting the requests being served, so a test's database can be
    swapped only once the server is idle: a request still running from the previous test
    (a poll, a late fetch) that opened the file while it was being replaced would create
    an empty database and its WAL in its place ("no such table" in the next test)."""

    def __init__(self, wsgi_app):
        self.wsgi_app, self.count, self.idle = wsgi_app, 0, threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            self.count += 1
        try:  # with TESTING, an error in the app propagates instead of becoming a 500
            answer = self.wsgi_app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return ClosingIterator(answer, [self._done])

    def _done(self):
        with self.idle:
            self.count -= 1
            self.idle.notify_all()

    def wait_until_idle(self, timeout=5):
        with self.idle:
            self.idle.wait_for(lambda: self.count == 0, timeout)


@pytest.fixture(scope="session")
def live_app(sqlite_template, live_db_path):
    """The served app, CSRF on as in production."""
    shutil.copy(sqlite_template, live_db_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "browser-tests",
                      "DATABASE_URL": f"sqlite:///{live_db_path}"})
    app.extensions["live_database"] = db.obj
    app.wsgi_app = app.extensions["in_flight"] = InFlight(app.wsgi_app)
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright resolves page.goto("/students/") against this."""
    return live_server


@pytest.fixture(autouse=True)
def live_database(live_app, live_db_path, sqlite_template):
    """A fresh migrated copy of the database for each test; the models in the test
    (same process) read and write the database the server uses."""
    database = live_app.extensions["live_database"]
    live_app.extensions["in_flight"].wait_until_idle()
    release(database)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{live_db_path}{suffix}").unlink(missing_ok=True)
    shutil.copy(sqlite_template, live_db_path)
    db.initialize(database)
    yield database
    if not database.is_closed():
        database.close()


@pytest.fixture(autouse=True)
def no_script_errors(request):
    """Fail a test whose page logged a CSP violation or threw a JavaScript error."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    problems = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" and (
        "Content Security Policy" in msg.text or "Refused to" in msg.text) else None)
    yield
    assert problems == []


@pytest.fixture
def database(live_database):
    """Point tests/conftest.py's make_student / make_course at the served database."""
    return live_database


@pytest.fixture
def enrolled(database):
    """enrolled(student, course) -> is there a junction row (read from the served DB)?"""
    from webapp.models import StudentCourse

    def check(student, course):
        return StudentCourse.select().where(StudentCourse.student == student.id,
                                            StudentCourse.course == course.id).exists()
    return check


@pytest.fixture
def session_cookie(registrar, base_url):
    """A signed-in registrar's session cookie for the served app."""
    from webapp import security
    from webapp.rules import users
    return {"name": security.SESSION_COOKIE, "value": users.start_session(registrar),
            "url": base_url}


@pytest.fixture(autouse=True)
def signed_in_context(request):
    """Give pytest-playwright's browser context the registrar's session cookie."""
    if "page" in request.fixturenames:
        request.getfixturevalue("context").add_cookies([request.getfixturevalue("session_cookie")])


@contextmanager
def page_without_js(browser, base_url, session_cookie):
    """A signed-in page in a browser context with JavaScript switched off."""
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    context.add_cookies([session_cookie])
    try:
        yield context.new_page()
    finally:
        context.close()
