"""/api/terms: create, list, read, change and delete terms."""
import pytest

FALL = {"code": "2026-fall", "name": "Fall 2026", "starts_on": "2026-09-01",
        "ends_on": "2026-12-18"}


def create(api, **changes):
    return api.post("/api/terms", json={**FALL, **changes})


def test_creating_a_term_answers_201_with_location_and_an_upper_case_code(api):
    response = create(api)
    body = response.get_json()
    assert response.status_code == 201
    assert body == {"id": body["id"], "code": "2026-FALL", "name": "Fall 2026",
                    "starts_on": "2026-09-01", "ends_on": "2026-12-18"}
    assert response.headers["Location"].endswith(f"/api/terms/{body['id']}")
    assert api.get(response.headers["Location"]).get_json() == body


def test_terms_are_listed_by_start_date(api):
    create(api, code="SPRING", starts_on="2027-01-11", ends_on="2027-05-28")
    create(api, code="FALL")
    items = api.get("/api/terms").get_json()["items"]
    assert [t["code"] for t in items] == ["FALL", "SPRING"]


def test_a_one_day_term_is_fine(api):
    assert create(api, ends_on="2026-09-01").status_code == 201


@pytest.mark.parametrize("changes, field", [
    ({"ends_on": "2026-08-31"}, "ends_on"),           # before it starts
    ({"starts_on": "2026-02-30"}, "starts_on"),       # no such day
    ({"starts_on": "1 Sep 2026"}, "starts_on"),
    ({"code": "FALL 2026"}, "code"),
    ({"name": ""}, "name"),
])
def test_a_bad_term_is_400_naming_the_field_and_writes_nothing(api, db_snapshot, changes,
                                                               field):
    before = db_snapshot()
    response = create(api, **changes)
    assert response.status_code == 400
    assert field in response.get_json()["fields"]
    assert db_snapshot() == before


def test_a_taken_code_is_409(api, db_snapshot):
    create(api)
    before = db_snapshot()
    response = create(api, code="2026-FALL", name="Again")
    assert response.status_code == 409 and "code" in response.get_json()["fields"]
    assert db_snapshot() == before


def test_patch_changes_only_the_keys_sent_and_checks_dates_against_the_others(api):
    term = create(api).get_json()
    path = f"/api/terms/{term['id']}"

    changed = api.patch(path, json={"name": "Autumn 2026", "ends_on": "2026-12-23"})
    assert changed.status_code == 200
    assert changed.get_json() == {**term, "name": "Autumn 2026", "ends_on": "2026-12-23"}

    backwards = api.patch(path, json={"starts_on": "2027-01-01"})  # after the stored end
    assert backwards.status_code == 400 and "ends_on" in backwards.get_json()["fields"]
    create(api, code="SPRING", starts_on="2027-01-11", ends_on="2027-05-28")
    assert api.patch(path, json={"code": "spring"}).status_code == 409


def test_unknown_terms_are_404(api):
    assert api.get("/api/terms/99").status_code == 404
    assert api.patch("/api/terms/99", json={"name": "x"}).status_code == 404
    assert api.delete("/api/terms/99").status_code == 404


def test_a_term_is_deleted_only_when_no_course_belongs_to_it(api):
    term = create(api).get_json()
    course = api.post("/api/courses", json={"code": "MATH-1", "title": "M",
                                            "term_id": term["id"]}).get_json()

    refused = api.delete(f"/api/terms/{term['id']}")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == ("2026-FALL: 1 course still belongs to it; move or "
                                           "delete it first")

    api.patch(f"/api/courses/{course['id']}", json={"term_id": None})
    assert api.delete(f"/api/terms/{term['id']}").status_code == 204
    assert api.get(f"/api/terms/{term['id']}").status_code == 404


def test_staff_read_terms_but_may_not_change_them(api, anon_client, staff_api_headers):
    term = create(api).get_json()
    path = f"/api/terms/{term['id']}"
    assert anon_client.get(path, headers=staff_api_headers).status_code == 200
    assert anon_client.post("/api/terms", json=FALL,
                            headers=staff_api_headers).status_code == 403
    assert anon_client.patch(path, json={"name": "x"},
                             headers=staff_api_headers).status_code == 403
    assert anon_client.delete(path, headers=staff_api_headers).status_code == 403
