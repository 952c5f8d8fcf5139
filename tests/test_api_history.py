"""GET /api/students/{id}/history and the API's part in sign-in: tokens, roles, request ids."""
import pytest

from webapp.models import EnrollmentEvent, StudentCourse


def test_enroll_repeat_unenroll_undo_leave_three_events_with_actor_and_request_ids(
        api, client, make_student, make_course):
    student, course = make_student(), make_course(code="MATH-101")
    url = f"/api/students/{student.id}/courses"
    ids = []
    for call in [lambda h: api.post(url, json={"course_ids": [course.id]}, headers=h),
                 lambda h: api.post(url, json={"course_ids": [course.id]}, headers=h),
                 lambda h: api.delete(f"{url}/{course.id}", headers=h)]:
        request_id = f"req-{len(ids) + 1}"
        assert call({"X-Request-ID": request_id}).status_code in (200, 204)
        ids.append(request_id)
    removal = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll")
    undo = client.post(f"/students/{student.id}/history/{removal.id}/undo",
                       headers={"X-Request-ID": "req-undo"})
    assert undo.status_code == 303

    body = api.get(f"/api/students/{student.id}/history").get_json()
    assert body["student_id"] == student.id
    assert [(e["action"], e["course_id"], e["course_code"], e["actor"], e["request_id"])
            for e in body["events"]] == [
        ("enroll", course.id, "MATH-101", "Rita Registrar", "req-undo"),
        ("unenroll", course.id, "MATH-101", "Rita Registrar", "req-3"),
        ("enroll", course.id, "MATH-101", "Rita Registrar", "req-1"),
    ]
    assert all(e["at"].endswith("Z") for e in body["events"])


@pytest.mark.parametrize("capacity, course_ids, status", [(1, [1], 409), (None, [999], 400)])
def test_a_refused_request_writes_no_event(api, make_student, make_course, capacity,
                                           course_ids, status):
    course = make_course(capacity=capacity)
    if capacity:
        StudentCourse.create(student=make_student(), course=course)
    response = api.post(f"/api/students/{make_student().id}/courses",
                        json={"course_ids": course_ids})
    assert response.status_code == status
    assert EnrollmentEvent.select().count() == 0


def test_history_of_an_unknown_student_is_404(api):
    response = api.get("/api/students/999/history")
    assert response.status_code == 404 and response.is_json


def test_a_staff_token_reads_but_every_write_is_403(anon_client, staff_api_headers,
                                                   make_student, make_course, db_snapshot):
    student, course = make_student(), make_course()
    base = f"/api/students/{student.id}"
    assert anon_client.get(f"{base}/courses", headers=staff_api_headers).status_code == 200
    assert anon_client.get(f"{base}/history", headers=staff_api_headers).status_code == 200
    before = db_snapshot()
    for method, path, body in [("post", f"{base}/courses", {"course_ids": [course.id]}),
                               ("patch", f"{base}/courses", {"add": [course.id]}),
                               ("delete", f"{base}/courses/{course.id}", None),
                               ("post", "/api/students", {"name": "A", "email": "a@b.co"}),
                               ("patch", base, {"name": "B"}),
                               ("delete", base, None),
                               ("post", "/api/courses", {"code": "X-1", "title": "X"})]:
        response = getattr(anon_client, method)(path, json=body, headers=staff_api_headers)
        assert response.status_code == 403, (method, path)
        assert "not change it" in response.get_json()["error"]
    assert db_snapshot() == before


def test_every_api_route_needs_a_token(anon_client, make_student):
    student = make_student()
    for path in ["/api/students", f"/api/students/{student.id}", "/api/courses",
                 f"/api/students/{student.id}/history"]:
        assert anon_client.get(path).status_code == 401


def test_the_docs_and_health_check_stay_public(anon_client):
    assert anon_client.get("/api/openapi.json").status_code == 200
    assert anon_client.get("/api/docs").status_code == 200
    assert anon_client.get("/healthz").status_code == 200

