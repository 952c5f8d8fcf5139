"""/healthz: 200 when the database answers, 503 when it does not."""
import pytest

from webapp import create_app
from webapp.db import db


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.fixture(params=["sqlite", "postgres"])
def unreachable_database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}"  # a directory cannot be opened as a database
    return "postgresql://postgres@127.0.0.1:1/registrar"  # nothing listens on port 1


def test_healthz_is_503_when_the_database_does_not_answer(unreachable_database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": unreachable_database_url})
    try:
        response = app.test_client().get("/healthz")
    finally:
        db.obj.close_all()
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json() == {"status": "unavailable", "error": "database unavailable"}
