"""A session that ends mid-work (expired, or signed out in another tab): the next tick or
form leads to sign in again, says so, and comes back to the page, never to a POST URL."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from webapp.models import StudentCourse, UserSession

from .conftest import PASSWORD

SESSION_ENDED = "Your session ended — sign in again."  # the words the issue asks for
HTMX = {"HX-Request": "true"}


def end_every_session():
    """As when the sessions expire (or are revoked) while pages are still open."""
    UserSession.delete().execute()


def sign_in_again(client, user, login_url):
    """Open the sign-in page the app sent us to, check its message, sign in there."""
    page = client.get(login_url).get_data(as_text=True)
    assert SESSION_ENDED in page
    return client.post(login_url, data={"email": user.email, "password": PASSWORD})


def test_a_tick_after_the_session_expired_signs_in_again_and_comes_back_to_the_page(
        client, registrar, make_student, make_course):
    student, course = make_student(), make_course()
    end_every_session()
    response = client.post(f"/students/{student.id}/courses/{course.id}",
                           data={"course_ids": [str(course.id)]},
                           headers={**HTMX, "HX-Current-URL":
                                    f"http://localhost/students/{student.id}?q=c"})
    assert response.status_code == 401 and StudentCourse.select().count() == 0
    back = sign_in_again(client, registrar, response.headers["HX-Redirect"])
    assert back.status_code == 303
    assert back.headers["Location"] == f"/students/{student.id}?q=c"  # the page, not the POST


@pytest.mark.parametrize("url, back_to", [
    ("/students/{student}/courses", "/students/{student}"),
    ("/students/{student}/courses/{course}", "/students/{student}"),
    ("/students/{student}/history/7/undo", "/students/{student}"),
    ("/courses/{course}/students", "/courses/{course}"),
    ("/logout", "/"),
    ("/students", "/students"),  # redirects to /students/: a page too
])
def test_a_form_posted_after_the_session_expired_comes_back_to_a_page_that_answers_get(
        client, registrar, make_student, make_course, url, back_to):
    ids = {"student": make_student().id, "course": make_course().id}
    end_every_session()
    response = client.post(url.format(**ids), data={})
    assert response.status_code == 303
    back = sign_in_again(client, registrar, response.headers["Location"])
    assert back.headers["Location"] == back_to.format(**ids)
    assert client.get(back.headers["Location"], follow_redirects=True).status_code == 200


def test_a_form_comes_back_to_the_page_it_was_posted_from(client, registrar, make_course):
    course = make_course()
    end_every_session()
    response = client.post(f"/courses/{course.id}/students", data={},
                           headers={"Referer": f"http://localhost/courses/{course.id}?q=ada"})
    back = sign_in_again(client, registrar, response.headers["Location"])
    assert back.headers["Location"] == f"/courses/{course.id}?q=ada"


@pytest.mark.parametrize("referer", ["https://evil.example/students/1?q=x", "not a url"])
def test_a_referer_from_another_site_is_not_followed(client, registrar, make_student, referer):
    student = make_student()
    end_every_session()
    response = client.post(f"/students/{student.id}/courses", data={},
                           headers={"Referer": referer})
    back = sign_in_again(client, registrar, response.headers["Location"])
    assert back.headers["Location"] == f"/students/{student.id}"


def test_a_page_opened_after_the_session_expired_says_so(client, registrar, make_student):
    student = make_student()
    end_every_session()
    response = client.get(f"/students/{student.id}?q=a")
    assert response.status_code == 302
    back = sign_in_again(client, registrar, response.headers["Location"])
    assert back.headers["Location"] == f"/students/{student.id}?q=a"


def test_a_stranger_is_not_told_a_session_ended(anon_client):
    login = anon_client.get("/students/").headers["Location"]
    assert SESSION_ENDED not in anon_client.get(login).get_data(as_text=True)


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def signed_in_browser(app, registrar):
    """A client signed in through the form, with a page's CSRF token (CSRF checked)."""
    browser = app.test_client()
    page = browser.get("/login").data
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    browser.post("/login", data={"email": registrar.email, "password": PASSWORD,
                                 "csrf_token": token.decode()})
    page = browser.get("/").get_data(as_text=True)
    return browser, re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_tick_after_signing_out_in_another_tab_asks_to_sign_in_not_about_csrf(
        csrf_app, registrar, make_student, make_course, htmx):
    student, course = make_student(), make_course()
    browser, token = signed_in_browser(csrf_app, registrar)
    page = f"http://localhost/students/{student.id}"
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 303  # other tab
    headers = {**HTMX, "HX-Current-URL": page} if htmx else {"Referer": page}
    response = browser.post(f"/students/{student.id}/courses/{course.id}",
                            data={"course_ids": [str(course.id)], "csrf_token": token},
                            headers={**headers, "X-CSRFToken": token})
    assert b"CSRF" not in response.data and StudentCourse.select().count() == 0
    login_url = response.headers["HX-Redirect" if htmx else "Location"]
    assert response.status_code == (401 if htmx else 303)
    assert SESSION_ENDED in browser.get(login_url).get_data(as_text=True)
    assert parse_qs(urlsplit(login_url).query) == {"next": [f"/students/{student.id}"]}
