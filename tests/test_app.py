"""The app factory, the home page and error pages."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from webapp import create_app
from webapp.config import PROJECT_ROOT


def test_home_page_is_alive(client, make_student):
    make_student()
    response = client.get("/")
    assert response.status_code == 200
    assert b"Registrar" in response.data


def test_unknown_page_is_a_404_with_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Not found" in response.data and b'<nav aria-label="Main">' in response.data


def test_serving_without_a_secret_key_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("webapp.config.INSTANCE_DIR", tmp_path)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "DEBUG": False})


BAD_SETTINGS = {
    "no secret key": ({}, "Error: SECRET_KEY is not set: export SECRET_KEY, or run `make run` "
                          "which writes one to instance/secret_key"),
    "proxies not a count": ({"SECRET_KEY": "k", "TRUSTED_PROXIES": "two"},
                            "Error: TRUSTED_PROXIES must be the number of reverse proxies in "
                            "front of the app (0, 1, 2 …), not 'two'"),
}


@pytest.mark.parametrize("case", sorted(BAD_SETTINGS))
def test_a_command_with_a_bad_setting_says_why_in_one_line(tmp_path, case):
    """The real `flask --app webapp db status`, run on a copy of the package: the copy's
    instance/ holds no key, whatever the checkout's own instance/ holds."""
    settings, reason = BAD_SETTINGS[case]
    shutil.copytree(PROJECT_ROOT / "webapp", tmp_path / "webapp",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {name: value for name, value in os.environ.items()
           if name not in {"SECRET_KEY", "FLASK_DEBUG", "FLASK_APP", "DATABASE_URL",
                           "TRUSTED_PROXIES"}}

    result = subprocess.run([Path(sys.executable).with_name("flask"), "--app", "webapp",
                             "db", "status"], cwd=tmp_path, env={**env, **settings},
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [reason]
    assert result.stdout == ""


def test_unsupported_database_url_is_a_clear_error():
    with pytest.raises(ValueError, match="unsupported DATABASE_URL"):
        create_app({"TESTING": True, "DATABASE_URL": "mysql://localhost/x"})


def test_api_paths_get_json_errors_not_pages(client):
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]


def test_unhandled_error_is_logged_once_and_answered_without_details(app, client, caplog):
    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret SQL detail")

    @app.get("/boom")
    def boom_page():
        raise RuntimeError("secret SQL detail")

    api = client.get("/api/boom")
    page = client.get("/boom")
    assert api.status_code == 500 and api.get_json()["error"] == "internal error"
    assert page.status_code == 500 and b'<nav aria-label="Main">' in page.data
    assert b"secret SQL detail" not in api.data + page.data
    assert sum("unhandled exception" in r.getMessage() for r in caplog.records) == 2


def test_every_response_carries_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_browsers_are_told_to_use_https_unless_debugging(app, client):
    assert client.get("/").headers["Strict-Transport-Security"] == "max-age=31536000"
    app.debug = True  # FLASK_DEBUG=1: served over plain http on a laptop
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_a_school_timezone_that_is_no_zone_is_refused_at_start(tmp_path):
    with pytest.raises(RuntimeError, match="SCHOOL_TIMEZONE='Mars/Olympus'"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                    "SCHOOL_TIMEZONE": "Mars/Olympus"})


def test_remembered_urls_are_the_ones_flask_builds(tmp_path):
    """The app remembers the paths url_for builds (a student page asks for ~40); a path
    is remembered with all it depends on, so another script root or blueprint gets its
    own, and what is not remembered (anchors, external URLs, lists) is Flask's."""
    from flask import url_for
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'urls.db'}", "SECRET_KEY": "k"})
    for _ in range(2):  # built, then remembered
        with app.test_request_context("/students/1"):
            assert url_for("students.show", student_id=3) == "/students/3"
            assert url_for(".index") == "/students/"
            assert url_for("students.index", q="a b") == "/students/?q=a+b"
            assert url_for("students.show", student_id=3, _anchor="row 2") == "/students/3#row%202"
            assert url_for("students.show", student_id=3, _external=True) == \
                "http://localhost/students/3"
            assert url_for("overrides.confirm", student_id=3, add=[1, 2]) == \
                "/students/3/courses/confirm?add=1&add=2"
        with app.test_request_context("/courses/1"):
            assert url_for(".index") == "/courses/"
        with app.test_request_context("/students/1", base_url="http://localhost/registrar"):
            assert url_for("students.show", student_id=3) == "/registrar/students/3"
            assert url_for(".index") == "/registrar/students/"
