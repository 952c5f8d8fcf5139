"""Bad input of every kind gets a 4xx JSON error that says what is wrong, and writes nothing."""
import json

import pytest

from webapp.rules.enrollment import MAX_IDS_PER_REQUEST

ENROLL = "/api/students/{student}/courses"
STUDENT = "/api/students/{student}"
NEW_STUDENT = {"name": "Ada", "email": "ada@example.edu"}

# (method, path, request kwargs, status, words the error must contain)
CASES = {
    "not JSON": ("POST", ENROLL, {"data": "{course_ids: [1", "content_type": "application/json"},
                 400, "not valid JSON"),
    "empty body": ("POST", ENROLL, {"data": "", "content_type": "application/json"},
                   400, "not valid JSON"),
    "form body": ("POST", ENROLL, {"data": {"course_ids": "1"}}, 415, "application/json"),
    "JSON as text/plain": ("POST", ENROLL, {"data": '{"course_ids": [1]}',
                                            "content_type": "text/plain"},
                           415, "application/json"),
    "array, not object": ("POST", ENROLL, {"json": [1, 2]}, 400, "JSON object"),
    "null body": ("POST", ENROLL, {"data": "null", "content_type": "application/json"}, 400,
                  "JSON object"),
    "ids as a string": ("POST", ENROLL, {"json": {"course_ids": "3"}}, 400, "course_ids"),
    "fractional id": ("POST", ENROLL, {"json": {"course_ids": [1.5]}}, 400, "course_ids.0"),
    "boolean id": ("POST", ENROLL, {"json": {"course_ids": [True]}}, 400, "course_ids.0"),
    "negative id": ("POST", ENROLL, {"json": {"course_ids": [-1]}}, 400, "course_ids.0"),
    "zero id": ("POST", ENROLL, {"json": {"course_ids": [0]}}, 400, "course_ids.0"),
    "id too large": ("POST", ENROLL, {"json": {"course_ids": [2**63]}}, 400, "course_ids.0"),
    "nested list": ("POST", ENROLL, {"json": {"course_ids": [[1]]}}, 400, "course_ids.0"),
    "object id": ("POST", ENROLL, {"json": {"course_ids": [{"id": 1}]}}, 400, "course_ids.0"),
    "no ids": ("POST", ENROLL, {"json": {"course_ids": []}}, 400, "course_ids"),
    "missing field": ("POST", ENROLL, {"json": {}}, 400, "course_ids: Field required"),
    "misspelt field": ("POST", ENROLL, {"json": {"course_id": [1]}}, 400, "course_id"),
    "too many ids": ("POST", ENROLL,
                     {"json": {"course_ids": list(range(1, MAX_IDS_PER_REQUEST + 2))}},
                     400, "at most 500"),
    "body over 1 MB": ("POST", ENROLL, {"data": '{"course_ids": [' + "1," * 600_000 + "1]}",
                                        "content_type": "application/json"}, 413, ""),
    "patch ids wrong type": ("PATCH", ENROLL, {"json": {"add": "1", "remove": [1]}}, 400,
                             "add"),
    "patch unknown key": ("PATCH", ENROLL, {"json": {"add": [1], "drop": [2]}}, 400, "drop"),
    "student name a number": ("POST", "/api/students", {"json": {**NEW_STUDENT, "name": 3}},
                              400, "name"),
    "student without name": ("POST", "/api/students", {"json": {"email": "a@b.co"}}, 400,
                             "name: Field required"),  # (email is optional since 0011)
    "blank name": ("POST", "/api/students", {"json": {**NEW_STUDENT, "name": "   "}}, 400,
                   "name"),
    "NUL in name": ("POST", "/api/students", {"json": {**NEW_STUDENT, "name": "A\x00"}},
                    400, "name"),
    "unpaired surrogate": ("POST", "/api/students",
                           {"data": '{"name": "\\ud800", "email": "a@example.edu"}',
                            "content_type": "application/json"}, 400, "Unicode"),
    "patch name null": ("PATCH", STUDENT, {"json": {"name": None}}, 400, "name"),
    "patch email a list": ("PATCH", STUDENT, {"json": {"email": ["a@example.edu"]}}, 400,
                           "email"),
    "capacity a string": ("POST", "/api/courses",
                          {"json": {"code": "X-1", "title": "X", "capacity": "10"}}, 400,
                          "capacity"),
    "capacity a boolean": ("POST", "/api/courses",
                           {"json": {"code": "X-1", "title": "X", "capacity": True}}, 400,
                           "capacity"),
    "capacity fractional": ("POST", "/api/courses",
                            {"json": {"code": "X-1", "title": "X", "capacity": 2.5}}, 400,
                            "capacity"),
    "page not a number": ("GET", "/api/students?page=two", {}, 400, "page"),
    "NUL in search": ("GET", "/api/courses?q=%00", {}, 400, "q"),
    "nested 200,000 deep": ("POST", ENROLL, {"data": "[" * 200_000,
                                             "content_type": "application/json"},
                            400, "nested too deeply"),
    "object nested 150,000 deep": ("POST", "/api/students",  # 1 MB is the body limit
                                   {"data": '{"a":' * 150_000 + "1" + "}" * 150_000,
                                    "content_type": "application/json"},
                                   400, "nested too deeply"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_malformed_input_is_a_json_4xx_that_says_what_is_wrong_and_writes_nothing(
        api, make_student, make_course, db_snapshot, case):
    method, path, kwargs, status, words = case
    ids = {"student": make_student().id, "course": make_course(capacity=5).id}
    before = db_snapshot()

    response = api.open(path.format(**ids), method=method, **kwargs)

    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.is_json
    assert words in response.get_json()["error"]
    assert db_snapshot() == before


def test_a_string_id_is_refused_even_when_it_names_a_real_course(api, make_student,
                                                                 make_course, db_snapshot):
    student, course = make_student(), make_course()
    before = db_snapshot()
    response = api.post(f"/api/students/{student.id}/courses",
                        json={"course_ids": [str(course.id)]})
    assert response.status_code == 400
    assert response.get_json()["fields"]["course_ids.0"] == "Input should be a valid integer"
    assert db_snapshot() == before


def test_a_whole_number_written_as_2_0_is_the_integer_2(api, make_student, make_course):
    """JSON has one number type; the OpenAPI document (JSON Schema) counts 2.0 as an
    integer, so the API does too. 2.5 stays refused (see the table above)."""
    student, course = make_student(), make_course()
    response = api.post(f"/api/students/{student.id}/courses",
                        data=json.dumps({"course_ids": [float(course.id)]}),
                        content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["enrolled"] == [course.id]


def test_error_fields_speak_of_the_rule_not_the_regex(api):
    response = api.post("/api/students", json={"name": "Ada", "email": "ada at example"})
    assert response.get_json()["fields"] == {
        "email": "Enter a valid email address, like ada@example.edu."}


@pytest.mark.parametrize("depth", [33, 100, *range(900, 1101, 2)])
def test_json_nested_past_32_levels_is_a_400_at_any_depth(api, make_student, db_snapshot,
                                                          depth):
    """Past ~940 levels Python's JSON parser gives up; just below that spectree's encoding
    of pydantic's errors (which quote the input) did, a 500. 32 levels are the limit."""
    student = make_student()
    before = db_snapshot()
    response = api.post(f"/api/students/{student.id}/courses",
                        data='{"course_ids": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}",
                        content_type="application/json")
    assert response.status_code == 400 and response.is_json
    assert "nested too deeply" in response.get_json()["error"]
    assert db_snapshot() == before


def test_json_nested_32_levels_is_read_as_usual(api, make_student):
    student = make_student()
    response = api.post(f"/api/students/{student.id}/courses",
                        data='{"course_ids": ' + "[" * 31 + "]" * 31 + "}",
                        content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"course_ids.0": "Input should be a valid integer"}
