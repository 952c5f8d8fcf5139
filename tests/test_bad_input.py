"""Input no page can use is refused up front with a clear 4xx, and nothing is written:
NUL characters (PostgreSQL cannot store or compare them), ids past the id columns (SQLite
cannot even bind them past 2**63), and id lists longer than any page sends."""
import pytest

from webapp.models import MAX_ID
from webapp.pages.ui import MAX_FORM_IDS

HUGE = 99999999999999999999  # more than 64 bits
LAYOUT = b'<nav aria-label="Main">'


@pytest.fixture
def ids(make_student, make_course):
    """A student enrolled in nothing and a course with seats: anything written shows."""
    return {"student": make_student().id, "course": make_course(capacity=5).id}


@pytest.mark.parametrize("path", [
    "/students/?q=%00", "/courses/?q=%00", "/students/{student}?q=%00",
    "/courses/{course}?q=%00", "/students/?page=1&q=a%00b", "/?tab=%00"])
def test_a_nul_in_a_query_value_is_a_400_page_in_the_layout(client, ids, path):
    response = client.get(path.format(**ids))
    assert response.status_code == 400
    assert LAYOUT in response.data and b"NUL" in response.data


@pytest.mark.parametrize("path, data", [
    ("/students/new", {"name": "Ada\x00", "email": "ada@example.edu"}),
    ("/courses/new", {"code": "X-1", "title": "\x00", "capacity": ""}),
    ("/students/{student}/courses", {"course_ids": ["{course}"],
                                     "was_enrolled": ["{course}"], "q": "\x00"}),
    ("/courses/{course}/students", {"student_ids": ["{student}"], "note\x00": "x"}),
])
def test_a_nul_in_a_form_value_or_name_is_a_400_that_writes_nothing(client, ids, db_snapshot,
                                                                    path, data):
    data = {key: [v.format(**ids) for v in value] if isinstance(value, list) else value
            for key, value in data.items()}
    before = db_snapshot()
    response = client.post(path.format(**ids), data=data)
    assert response.status_code == 400 and b"NUL" in response.data
    assert db_snapshot() == before


def test_a_nul_in_the_sign_in_email_is_a_400_and_counts_no_failure(anon_client, registrar,
                                                                  db_snapshot):
    before = db_snapshot()
    response = anon_client.post("/login", data={"email": "rita@school.test\x00",
                                                "password": "x"})
    assert response.status_code == 400 and LAYOUT in response.data
    assert db_snapshot() == before


def test_a_nul_in_an_api_query_is_a_json_400_naming_the_parameter(api, ids):
    response = api.get(f"/api/students/{ids['student']}/courses?verbose=%00")
    assert response.status_code == 400 and response.is_json
    body = response.get_json()
    assert "verbose" in body["error"] and body["fields"] == {
        "verbose": "Must not contain NUL characters."}


@pytest.mark.parametrize("method, path", [
    ("GET", "/students/{huge}"), ("GET", "/students/{huge}/edit"),
    ("GET", "/courses/{huge}"), ("GET", "/courses/{huge}/edit"),
    ("GET", "/courses/{huge}/roster.csv"),
    ("GET", "/courses/{course}/students/{huge}/remove"),
    ("POST", "/students/{student}/courses/{huge}"),  # the toggle
    ("POST", "/students/{huge}/courses"),
    ("POST", "/courses/{huge}/students"),
    ("POST", "/students/{student}/history/{huge}/undo"),
])
@pytest.mark.parametrize("huge", [HUGE, 2**63, MAX_ID + 1])
def test_an_id_past_the_id_columns_in_a_page_url_is_a_404_page(client, ids, db_snapshot,
                                                               method, path, huge):
    before = db_snapshot()
    response = client.open(path.format(huge=huge, **ids), method=method,
                           data={"course_ids": [str(ids["course"])]})
    assert response.status_code == 404 and LAYOUT in response.data
    assert f"no record with id {huge}".encode() in response.data
    assert db_snapshot() == before


@pytest.mark.parametrize("path, field", [
    ("/students/{student}/courses", "course_ids"),  # the no-JS checklist
    ("/students/{student}/courses", "was_enrolled"),
    ("/courses/{course}/students", "student_ids"),  # bulk add
    ("/courses/{course}/selection", "student_ids"),  # bulk add's search and paging
    ("/students/{student}/courses/{course}", "course_ids"),  # the toggle
])
@pytest.mark.parametrize("value", [str(HUGE), str(2**63), str(MAX_ID + 1), "0", "-3", "x",
                                   "9" * 5000])
def test_an_id_outside_the_id_columns_in_a_form_is_a_400_that_writes_nothing(
        client, ids, db_snapshot, path, field, value):
    before = db_snapshot()
    response = client.post(path.format(**ids), data={field: [str(ids["course"]), value]})
    assert response.status_code == 400 and LAYOUT in response.data
    assert f"{field} must be whole numbers from 1 to {MAX_ID}".encode() in response.data
    assert db_snapshot() == before


@pytest.mark.parametrize("value", [str(HUGE), "0", "x"])
def test_an_id_outside_the_id_columns_in_the_course_pages_selection_is_a_400(client, ids,
                                                                            value):
    response = client.get(f"/courses/{ids['course']}",
                          query_string={"student_ids": [str(ids["student"]), value]})
    assert response.status_code == 400 and LAYOUT in response.data
    assert b"student_ids must be whole numbers" in response.data


def test_more_ids_than_any_page_sends_are_a_400_that_writes_nothing(client, ids, db_snapshot):
    before = db_snapshot()
    response = client.post(f"/students/{ids['student']}/courses",
                           data={"course_ids": [str(ids["course"])] * (MAX_FORM_IDS + 1)})
    assert response.status_code == 400
    assert f"Too many course_ids: at most {MAX_FORM_IDS:,} at once".encode() in response.data
    assert db_snapshot() == before
