"""The app factory, the home page and error pages."""
import pytest

from webapp import create_app


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


def test_a_school_timezone_that_is_no_zone_is_refused_at_start(tmp_path):
    with pytest.raises(RuntimeError, match="SCHOOL_TIMEZONE='Mars/Olympus'"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                    "SCHOOL_TIMEZONE": "Mars/Olympus"})
