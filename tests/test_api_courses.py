"""/api/courses: list, search, create, read, and a course's roster."""
import pytest

from webapp.rules import enrollment


def test_creating_a_course_answers_201_with_seats_and_location(api):
    response = api.post("/api/courses", json={"code": "math-101", "title": "Calculus",
                                              "capacity": 30})

    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "code": "math-101", "title": "Calculus",
                    "capacity": 30, "enrolled": 0, "seats_left": 30, "term_id": None,
                    "meetings": [], "prerequisites": []}
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
    ({"code": "MATH\t101", "title": "Calculus"}, "code"),
    ({"code": "M" * 65, "title": "Calculus"}, "code"),
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


# Terms, meetings, prerequisites; PATCH --------------------------------------------------

SCHEDULED = {"code": "math-201", "title": "Calculus II", "capacity": 20,
             "meetings": [{"days": ["wed", "mon"], "start": "09:00", "end": "10:30",
                           "room": "B12"},
                          {"days": ["fri"], "start": "13:00", "end": "14:00"}],
             "prerequisites": [["math-101", "MATH-100"], ["PHY-101"]]}


@pytest.fixture
def fall(make_term):
    return make_term("FALL", "2026-09-01", "2026-12-18")


def test_a_course_is_created_with_its_term_meetings_and_prerequisites(api, fall):
    response = api.post("/api/courses", json={**SCHEDULED, "term_id": fall.id})
    body = response.get_json()
    assert response.status_code == 201
    assert body["term_id"] == fall.id
    assert body["meetings"] == [
        {"days": ["mon", "wed"], "start": "09:00", "end": "10:30", "room": "B12"},
        {"days": ["fri"], "start": "13:00", "end": "14:00", "room": None}]
    assert body["prerequisites"] == [["MATH-100", "math-101"], ["PHY-101"]]  # as written
    assert api.get(f"/api/courses/{body['id']}").get_json() == body
    assert api.get("/api/courses").get_json()["items"] == [body]


def test_a_code_may_repeat_in_another_term_but_not_in_the_same(api, fall, make_term):
    spring = make_term("SPRING", "2027-01-11", "2027-05-28")
    for term in (fall.id, spring.id, None):
        assert api.post("/api/courses", json={"code": "MATH-1", "title": "M",
                                              "term_id": term}).status_code == 201
    for term in (fall.id, None):
        again = api.post("/api/courses", json={"code": "math-1", "title": "M",
                                               "term_id": term})
        assert again.status_code == 409 and "code" in again.get_json()["fields"]


@pytest.mark.parametrize("changes, field", [
    ({"term_id": 999}, "term_id"),
    ({"meetings": [{"days": ["mon"], "start": "10:00", "end": "09:00"}]}, "meetings.0.end"),
    ({"meetings": [{"days": ["mon"], "start": "10:00", "end": "10:00"}]}, "meetings.0.end"),
    ({"meetings": [{"days": [], "start": "09:00", "end": "10:00"}]}, "meetings.0.days"),
    ({"meetings": [{"days": ["monday"], "start": "09:00", "end": "10:00"}]},
     "meetings.0.days.0"),
    ({"meetings": [{"days": ["mon"], "start": "9am", "end": "10:00"}]}, "meetings.0.start"),
    ({"meetings": [{"days": ["mon"], "start": "09:00"}]}, "meetings.0.end"),
    ({"prerequisites": [[]]}, "prerequisites.0"),
    ({"prerequisites": [["MATH\n101"]]}, "prerequisites.0.0"),
    ({"prerequisites": "MATH-101"}, "prerequisites"),
])
def test_bad_terms_meetings_and_prerequisites_are_400_naming_the_field(api, db_snapshot,
                                                                       changes, field):
    before = db_snapshot()
    response = api.post("/api/courses", json={"code": "MATH-1", "title": "M", **changes})
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["fields"]
    assert db_snapshot() == before


def test_patch_changes_only_what_is_sent_and_replaces_the_lists(api, fall, make_course):
    course = api.post("/api/courses", json=SCHEDULED).get_json()
    path = f"/api/courses/{course['id']}"

    moved = api.patch(path, json={"term_id": fall.id, "title": "Calculus 2"}).get_json()
    assert moved == {**course, "term_id": fall.id, "title": "Calculus 2"}

    cleared = api.patch(path, json={"meetings": [], "prerequisites": [["MATH-150"]],
                                    "capacity": None}).get_json()
    assert (cleared["meetings"], cleared["prerequisites"]) == ([], [["MATH-150"]])
    assert (cleared["capacity"], cleared["seats_left"], cleared["code"]) == (None, None,
                                                                             "math-201")


def test_patch_refuses_a_taken_code_a_low_capacity_and_unknown_courses(api, make_course,
                                                                       make_student):
    make_course(code="ART-1")
    course = make_course(code="ART-2", capacity=5)
    enrollment.enroll_students(course.id, [make_student().id, make_student().id])
    path = f"/api/courses/{course.id}"
    assert api.patch(path, json={"code": "art-1"}).status_code == 409
    low = api.patch(path, json={"capacity": 1})
    assert low.status_code == 400 and "capacity" in low.get_json()["fields"]
    assert api.patch(path, json={"capacity": 2}).status_code == 200
    assert api.patch("/api/courses/999", json={"title": "x"}).status_code == 404


def test_moving_a_course_into_a_term_where_its_code_is_taken_is_409(api, fall, make_course):
    make_course(code="ART-1", term=fall)
    course = make_course(code="ART-1")
    response = api.patch(f"/api/courses/{course.id}", json={"term_id": fall.id})
    assert response.status_code == 409
    assert response.get_json()["fields"] == {"code": "Another course in this term already "
                                                     "has this code."}


def test_a_staff_token_may_not_patch_a_course(anon_client, staff_api_headers, make_course):
    course = make_course()
    response = anon_client.patch(f"/api/courses/{course.id}", json={"title": "x"},
                                 headers=staff_api_headers)
    assert response.status_code == 403


def test_listing_courses_reads_meetings_and_prerequisites_in_fixed_queries(api, make_course):
    from playhouse.test_utils import count_queries
    counts = []
    for batch in range(2):
        for n in range(1 + 24 * batch):
            make_course(code=f"B{batch}-{n}", meetings=["mon 09:00-10:00", "tue 09:00-10:00"],
                        prerequisites=[["ART-1"]])
        with count_queries() as counter:
            assert api.get("/api/courses?per_page=25").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
