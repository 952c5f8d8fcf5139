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
