"""/api/courses: list, search, create, read, and a course's roster."""
import pytest

from webapp.rules import enrollment


def test_creating_a_course_answers_201_with_seats_and_location(api):
    response = api.post("/api/courses", json={"code": "math-101", "title": "Calculus",
                                              "capacity": 30})

    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "code": "MATH-101", "title": "Calculus",
                    "capacity": 30, "enrolled": 0, "seats_left": 30}
    assert response.headers["Location"].endswith(f"/api/courses/{body['id']}")


def test_a_course_without_capacity_is_unlimited(api):
    body = api.post("/api/courses", json={"code": "ART-1", "title": "Art"}).get_json()
    assert body["capacity"] is None and body["seats_left"] is None


def test_a_taken_code_is_409_whatever_its_case(api, make_course, db_snapshot):
    make_course(code="MATH-101")
    before = db_snapshot()
    response = api.post("/api/courses", json={"code": "Math-101", "title": "Again"})
    assert response.status_code == 409
    assert "code" in response.get_json()["fields"]
    assert db_snapshot() == before


@pytest.mark.parametrize("body, field", [
    ({"code": "MATH 101", "title": "Calculus"}, "code"),
    ({"code": "MATH-101", "title": ""}, "title"),
    ({"code": "MATH-101", "title": "Calculus", "capacity": 0}, "capacity"),
    ({"code": "MATH-101", "title": "Calculus", "capacity": 100_001}, "capacity"),
    ({"title": "Calculus"}, "code"),
])
def test_invalid_course_fields_are_400_naming_the_field(api, db_snapshot, body, field):
    before = db_snapshot()
    response = api.post("/api/courses", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["fields"]
    assert db_snapshot() == before


def test_listing_pages_courses_by_code_and_searches_code_and_title(api, make_course):
    make_course(code="PHYS-1", title="Mechanics")
    make_course(code="ART-1", title="Drawing")
    make_course(code="MATH-1", title="Algebra")

    page = api.get("/api/courses?per_page=2").get_json()
    found = api.get("/api/courses?q=draw").get_json()
    by_code = api.get("/api/courses?q=phys").get_json()

    assert [c["code"] for c in page["items"]] == ["ART-1", "MATH-1"]
    assert (page["page"], page["per_page"], page["total"]) == (1, 2, 3)
    assert [c["code"] for c in found["items"]] == ["ART-1"]
    assert [c["code"] for c in by_code["items"]] == ["PHYS-1"]


def test_bad_course_paging_is_400(api):
    assert api.get("/api/courses?per_page=1000").status_code == 400


def test_reading_a_course_shows_enrolled_and_seats_left(api, make_student, make_course):
    course = make_course(capacity=3)
    enrollment.enroll(make_student().id, [course.id])
    body = api.get(f"/api/courses/{course.id}").get_json()
    assert (body["enrolled"], body["seats_left"], body["capacity"]) == (1, 2, 3)


@pytest.mark.parametrize("path", ["/api/courses/999", "/api/courses/999/students"])
def test_an_unknown_course_is_404(api, path):
    response = api.get(path)
    assert response.status_code == 404 and "999" in response.get_json()["error"]


def test_the_roster_lists_students_by_name_with_enrolled_at_and_course_count(
        api, make_student, make_course):
    course, other = make_course(), make_course()
    zoe, ada = make_student(name="Zoe"), make_student(name="Ada")
    make_student(name="Not enrolled")
    enrollment.enroll(zoe.id, [course.id, other.id])
    enrollment.enroll(ada.id, [course.id])

    body = api.get(f"/api/courses/{course.id}/students").get_json()

    assert body["course_id"] == course.id
    assert [(s["id"], s["name"], s["course_count"]) for s in body["students"]] == [
        (ada.id, "Ada", 1), (zoe.id, "Zoe", 2)]
    assert all(s["enrolled_at"].endswith("Z") for s in body["students"])


def test_an_empty_roster_is_an_empty_list(api, make_course):
    course = make_course()
    assert api.get(f"/api/courses/{course.id}/students").get_json() == {
        "course_id": course.id, "students": []}
