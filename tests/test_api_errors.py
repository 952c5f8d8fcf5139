"""Every error anywhere under /api is JSON, never an HTML page."""
import pytest


@pytest.mark.parametrize("path", ["/api/nothing/here", "/api/students/1/nothing",
                                  "/api/students/abc", "/api/students/-1/courses",
                                  "/api/students/99999999999999999999999"])
def test_unknown_api_urls_are_json_404s(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]


@pytest.mark.parametrize("method, path", [("PUT", "/api/students"),
                                          ("DELETE", "/api/courses"),
                                          ("POST", "/api/students/1")])
def test_a_wrong_method_is_a_json_405_with_the_allowed_ones(api, method, path):
    response = api.open(path, method=method, json={})
    assert response.status_code == 405
    assert response.is_json and response.get_json()["error"]
    assert "GET" in response.headers["Allow"]


def test_an_unhandled_error_is_json_with_the_request_id_and_no_details(app, api, monkeypatch,
                                                                      make_student):
    def broken(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM students")
    monkeypatch.setattr("webapp.api.core.student_enrollments", broken)
    student = make_student()

    response = api.get(f"/api/students/{student.id}", headers={"X-Request-ID": "trace-500"})

    assert response.status_code == 500 and response.is_json
    assert response.get_json() == {"error": "internal error", "request_id": "trace-500"}
    assert b"secret" not in response.data


def test_a_response_that_breaks_its_documented_model_is_an_ordinary_500(api, monkeypatch,
                                                                        make_course, caplog):
    monkeypatch.setattr("webapp.api.schemas.Course.of", lambda row, *lists: {"id": row.id})
    course = make_course()

    response = api.get(f"/api/courses/{course.id}")

    assert response.status_code == 500
    assert response.get_json() == {"error": "internal error",
                                   "request_id": response.headers["X-Request-ID"]}
    assert any(r.exc_info and "ResponseMismatch" in repr(r.exc_info[1])
               for r in caplog.records)
