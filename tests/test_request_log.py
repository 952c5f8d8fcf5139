"""Request ids and the one JSON log line per request."""
import io
import json

import pytest

from webapp.request_log import json_handler


@pytest.fixture
def log_lines(monkeypatch):
    """What the app's JSON log handler writes, as a function returning parsed lines."""
    stream = io.StringIO()
    monkeypatch.setattr(json_handler, "stream", stream)
    return lambda: [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_request_writes_exactly_one_json_line_with_its_id(client, log_lines):
    response = client.get("/api/students?q=x", environ_base={"REMOTE_ADDR": "10.1.2.3"})

    lines = log_lines()
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/students", 200)
    assert line["remote_addr"] == "10.1.2.3"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "user" in line and line["timestamp"]


def test_the_log_line_has_the_final_status_of_an_error(client, log_lines):
    response = client.get("/api/students/424242")
    assert [line["status"] for line in log_lines()] == [response.status_code] == [404]


@pytest.mark.parametrize("incoming", ["abc-123", "Trace.ID_9", "x" * 64])
def test_a_sane_incoming_request_id_is_kept(client, log_lines, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming
    assert log_lines()[0]["request_id"] == incoming


@pytest.mark.parametrize("incoming", ["x" * 65, "has space", "new\\nline", "<script>", ""])
def test_an_unusable_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    generated = response.headers["X-Request-ID"]
    assert generated != incoming and 1 <= len(generated) <= 64
    assert generated.isalnum()


def test_pages_get_request_ids_too_and_each_request_its_own(client):
    ids = {client.get("/").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_an_unhandled_error_is_logged_once_with_traceback_and_request_id(app, log_lines):
    @app.get("/api/explode")
    def explode():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/api/explode")

    request_id = response.headers["X-Request-ID"]
    assert response.get_json() == {"error": "internal error", "request_id": request_id}
    errors = [line for line in log_lines() if line["levelname"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == request_id
    assert "Traceback" in errors[0]["exc_info"] and "kaboom" in errors[0]["exc_info"]
    assert [line["status"] for line in log_lines() if line["message"] == "request"] == [500]
