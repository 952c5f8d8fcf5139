"""JSON clients written against the original specification's enrollment paths (no /api)
are sent on with a 308 to the same path under /api; browsers keep getting the pages."""
import pytest

from tests.conftest import sign_in
from webapp import create_app, security
from webapp.models import StudentCourse
from webapp.rules import users

JSON = "application/json"


def enrolled_ids(student):
    return sorted(row.course_id for row in
                  StudentCourse.select().where(StudentCourse.student == student.id))


@pytest.fixture
def token_client(app, api_headers):
    """An API client: a bearer token, no session cookie (like any script)."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = api_headers["Authorization"]
    return client


@pytest.fixture
def csrf_app(database_url):
    """The app as served: CSRF tokens checked on every page form."""
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                       "WTF_CSRF_ENABLED": True})


@pytest.mark.parametrize("method, tail, kwargs", [
    ("POST", "", {"json": {"course_ids": [1]}}),
    ("PATCH", "", {"json": {"add": [1]}}),
    ("GET", "", {}),
    ("GET", "", {"headers": {"Accept": JSON}}),
    ("DELETE", "/7", {}),
    ("POST", "/7", {"json": {}}),
])
def test_a_token_client_on_an_original_path_is_sent_under_api_with_a_308(
        token_client, make_student, method, tail, kwargs):
    student = make_student()
    response = token_client.open(f"/students/{student.id}/courses{tail}?trace=1&x=a%20b",
                                 method=method, **kwargs)
    assert response.status_code == 308
    assert response.headers["Location"] == f"/api/students/{student.id}/courses{tail}" \
                                           "?trace=1&x=a%20b"


def test_following_the_308_enrolls_with_the_same_body_and_method(token_client, make_student,
                                                                 make_course):
    student, math, art = make_student(), make_course(), make_course()
    response = token_client.post(f"/students/{student.id}/courses",
                                 json={"course_ids": [math.id, art.id]}, follow_redirects=True)
    assert response.status_code == 200 and response.is_json
    assert sorted(response.get_json()["enrolled"]) == sorted([math.id, art.id])
    assert enrolled_ids(student) == sorted([math.id, art.id])

    listed = token_client.get(f"/students/{student.id}/courses", follow_redirects=True)
    assert [c["id"] for c in listed.get_json()["courses"]] == \
        [c.id for c in sorted([math, art], key=lambda c: c.code)]

    removed = token_client.delete(f"/students/{student.id}/courses/{math.id}",
                                  follow_redirects=True)
    assert removed.status_code == 204 and enrolled_ids(student) == [art.id]


@pytest.mark.parametrize("headers", [{"Content-Type": JSON}, {"Accept": JSON}])
def test_a_json_client_without_a_token_gets_the_apis_401_not_sign_in_or_csrf(
        csrf_app, make_student, make_course, headers):
    student, course = make_student(), make_course()
    client = csrf_app.test_client()
    response = client.post(f"/students/{student.id}/courses", data='{"course_ids": [1]}',
                           headers=headers)
    assert response.status_code == 308
    followed = client.post(f"/students/{student.id}/courses/{course.id}",
                           data='{"course_ids": [1]}', headers=headers, follow_redirects=True)
    assert followed.status_code == 401 and followed.is_json
    assert StudentCourse.select().count() == 0


def test_browsers_keep_the_no_js_form_and_the_htmx_toggle(csrf_app, registrar, make_student,
                                                          make_course):
    student, course = make_student(), make_course()
    browser = sign_in(csrf_app.test_client(), registrar)
    del browser.environ_base["HTTP_AUTHORIZATION"]  # a browser has only its cookie
    page = browser.get(f"/students/{student.id}").get_data(as_text=True)
    token = page.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]

    toggle = browser.post(f"/students/{student.id}/courses/{course.id}",
                          data={"course_ids": [str(course.id)]},
                          headers={"HX-Request": "true", "Accept": "text/html",
                                   "X-CSRFToken": token})
    assert toggle.status_code == 200 and f'id="course-row-{course.id}"' in toggle.text

    saved = browser.post(f"/students/{student.id}/courses",
                         data={"was_enrolled": [str(course.id)], "csrf_token": token},
                         headers={"Accept": "text/html,application/xhtml+xml,application/xml;"
                                            "q=0.9,*/*;q=0.8"})
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/students/{student.id}"
    assert enrolled_ids(student) == []


@pytest.mark.parametrize("accept", [None, "*/*", "text/html, application/json"])
def test_a_request_that_does_not_ask_for_json_is_not_redirected(anon_client, make_student,
                                                                accept):
    """Without a token, a JSON body or a preference for JSON, it is a page request."""
    student = make_student()
    headers = {"Accept": accept} if accept else {}
    response = anon_client.post(f"/students/{student.id}/courses", headers=headers)
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("mark", ["sign-in cookie", "HX-Request"])
def test_a_browsers_cookie_or_htmx_makes_it_a_page_request(token_client, registrar,
                                                           make_student, mark):
    """A bearer token and Accept: application/json, plus one mark only a browser sends."""
    student = make_student()
    headers = {"Accept": JSON}
    if mark == "sign-in cookie":
        token_client.set_cookie(security.SESSION_COOKIE, users.start_session(registrar))
    else:
        headers["HX-Request"] = "true"
    response = token_client.post(f"/students/{student.id}/courses", headers=headers)
    assert response.status_code != 308
    assert not response.headers.get("Location", "").startswith("/api")


def test_a_token_client_posting_a_form_body_is_told_by_the_api_to_send_json(token_client,
                                                                            make_student):
    """`curl -d` sends application/x-www-form-urlencoded unless told otherwise."""
    student = make_student()
    response = token_client.post(f"/students/{student.id}/courses",
                                 data={"course_ids": "1"}, follow_redirects=True)
    assert response.status_code == 415 and response.is_json
    assert "application/json" in response.get_json()["error"]


def test_other_page_paths_are_never_redirected(token_client, make_student):
    student = make_student()
    for path in [f"/students/{student.id}", f"/students/{student.id}/courses/extra/1",
                 "/students/courses", f"/students/{student.id}/history/1/undo"]:
        assert token_client.get(path, headers={"Accept": JSON}).status_code != 308
