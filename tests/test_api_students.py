"""/api/students: list, search, page, create, read, update, delete."""
import re

import pytest

from webapp import create_app
from webapp.db import db
from webapp.models import Course, Student, StudentCourse
from webapp.rules import enrollment, users

from .conftest import PASSWORD

UTC_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_creating_a_student_answers_201_with_the_student_and_its_location(api):
    response = api.post("/api/students", json={"name": "Ada Lovelace",
                                               "email": "Ada@Example.EDU",
                                               "student_number": "S-1815"})

    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "name": "Ada Lovelace", "email": "ada@example.edu",
                    "student_number": "S-1815", "course_count": 0}
    assert response.headers["Location"].endswith(f"/api/students/{body['id']}")
    assert api.get(response.headers["Location"]).get_json()["email"] == "ada@example.edu"


def test_student_number_is_optional(api):
    response = api.post("/api/students", json={"name": "Bo", "email": "bo@example.edu"})
    assert response.status_code == 201
    assert response.get_json()["student_number"] is None


@pytest.mark.parametrize("taken, field", [
    ({"email": "ADA@example.edu"}, "email"),
    ({"student_number": "S-1"}, "student_number"),
])
def test_a_taken_email_or_number_is_409_naming_the_field(api, make_student, db_snapshot,
                                                          taken, field):
    make_student(email="ada@example.edu", student_number="S-1")
    before = db_snapshot()
    body = {"name": "Other", "email": "other@example.edu", **taken}

    response = api.post("/api/students", json=body)

    assert response.status_code == 409
    assert field in response.get_json()["fields"]
    assert db_snapshot() == before


def test_email_is_optional_and_null_clears_it(api):
    created = api.post("/api/students", json={"name": "Pupil"})
    assert created.status_code == 201 and created.get_json()["email"] is None
    path = created.headers["Location"]
    assert api.patch(path, json={"email": "P@example.edu"}).get_json()["email"] == \
        "p@example.edu"
    assert api.patch(path, json={"email": None}).get_json()["email"] is None
    assert api.post("/api/students", json={"name": "Two", "email": None}).status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"name": "  ", "email": "a@example.edu"}, "name"),
    ({"name": "A", "email": "not-an-email"}, "email"),
    ({"name": "A", "email": "a@example.edu", "student_number": "S 1"}, "student_number"),
    ({"name": "A" * 201, "email": "a@example.edu"}, "name"),
])
def test_invalid_fields_are_400_naming_the_field_and_nothing_is_written(api, db_snapshot,
                                                                        body, field):
    before = db_snapshot()
    response = api.post("/api/students", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["fields"]
    assert field in response.get_json()["error"]
    assert db_snapshot() == before


def test_listing_pages_students_by_name_with_their_course_counts(api, make_student,
                                                                make_course):
    carol, ada, bob = (make_student(name=n) for n in ("Carol", "Ada", "Bob"))
    enrollment.enroll(bob.id, [make_course().id, make_course().id])

    first = api.get("/api/students?per_page=2").get_json()
    second = api.get("/api/students?per_page=2&page=2").get_json()

    assert [s["name"] for s in first["items"]] == ["Ada", "Bob"]
    assert [s["course_count"] for s in first["items"]] == [0, 2]
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 3)
    assert [s["id"] for s in second["items"]] == [carol.id]
    assert api.get("/api/students?page=9").get_json()["items"] == []


@pytest.mark.parametrize("q, expected", [
    ("lovel", ["Ada Lovelace"]),          # name, any case
    ("HOPPER@", ["Grace Hopper"]),        # email
    ("S-19", ["Grace Hopper"]),           # student number
    ("", ["Ada Lovelace", "Grace Hopper"]),
])
def test_search_matches_name_email_or_number(api, make_student, q, expected):
    make_student(name="Ada Lovelace", email="ada@example.edu", student_number="S-1815")
    make_student(name="Grace Hopper", email="grace.hopper@example.edu", student_number="S-1906")
    body = api.get("/api/students", query_string={"q": q}).get_json()
    assert [s["name"] for s in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize("query, field", [
    ("page=0", "page"), ("page=abc", "page"), ("per_page=0", "per_page"),
    ("per_page=101", "per_page"), ("page=-1", "page"),
])
def test_bad_paging_is_400_naming_the_parameter(api, query, field):
    response = api.get(f"/api/students?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["fields"]


def test_reading_a_student_lists_their_courses_by_code(api, make_student, make_course):
    student = make_student(name="Ada")
    art, math = make_course(code="ART-1", title="Art"), make_course(code="MATH-1", title="Maths")
    enrollment.enroll(student.id, [math.id, art.id])

    body = api.get(f"/api/students/{student.id}").get_json()

    assert body["name"] == "Ada" and body["course_count"] == 2
    assert [(c["id"], c["code"], c["title"]) for c in body["courses"]] == [
        (art.id, "ART-1", "Art"), (math.id, "MATH-1", "Maths")]
    assert all(UTC_SECONDS.match(c["enrolled_at"]) for c in body["courses"])


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_unknown_student_is_404(api, method):
    response = api.open("/api/students/999", method=method, json={"name": "X"})
    assert response.status_code == 404
    assert "999" in response.get_json()["error"]


def test_patch_changes_only_the_fields_sent(api, make_student):
    student = make_student(name="Ada", email="ada@example.edu", student_number="S-1")

    response = api.patch(f"/api/students/{student.id}", json={"name": "Ada King"})

    assert response.status_code == 200
    assert response.get_json() == {"id": student.id, "name": "Ada King",
                                   "email": "ada@example.edu", "student_number": "S-1",
                                   "course_count": 0}
    assert Student.get_by_id(student.id).name == "Ada King"


def test_patch_can_change_email_and_clear_the_student_number(api, make_student):
    student = make_student(email="ada@example.edu", student_number="S-1")
    response = api.patch(f"/api/students/{student.id}",
                         json={"email": "ADA.KING@example.edu", "student_number": None})
    assert response.status_code == 200
    row = Student.get_by_id(student.id)
    assert (row.email, row.student_number) == ("ada.king@example.edu", None)


def test_patch_to_another_students_email_is_409_and_writes_nothing(api, make_student,
                                                                  db_snapshot):
    make_student(email="taken@example.edu")
    student = make_student()
    before = db_snapshot()
    response = api.patch(f"/api/students/{student.id}", json={"email": "taken@example.edu"})
    assert response.status_code == 409
    assert "email" in response.get_json()["fields"]
    assert db_snapshot() == before


def test_patch_with_an_invalid_field_is_400_and_writes_nothing(api, make_student, db_snapshot):
    student = make_student()
    before = db_snapshot()
    response = api.patch(f"/api/students/{student.id}", json={"name": " ", "email": "x@y.z"})
    assert response.status_code == 400
    assert "name" in response.get_json()["fields"]
    assert db_snapshot() == before


def test_deleting_a_student_takes_their_enrollments_with_them(api, make_student, make_course):
    student, course = make_student(), make_course(capacity=3)
    enrollment.enroll(student.id, [course.id])

    response = api.delete(f"/api/students/{student.id}")

    assert response.status_code == 204 and response.data == b""
    assert api.get(f"/api/students/{student.id}").status_code == 404
    assert StudentCourse.select().count() == 0
    assert Course.get_by_id(course.id).enrolled_count == 0


def test_the_api_needs_no_csrf_token_even_when_forms_do(database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                      "WTF_CSRF_ENABLED": True})
    try:
        token = users.issue_token(users.create_user("rita@school.test", "Rita", "registrar",
                                                    PASSWORD))
        response = app.test_client().post("/api/students",
                                          json={"name": "Ada", "email": "ada@example.edu"},
                                          headers={"Authorization": f"Bearer {token}"})
    finally:
        db.obj.close_all()
    assert response.status_code == 201
