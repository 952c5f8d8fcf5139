"""Read-only staff: told once at the top of each editable page, no links to forms they
cannot submit, and a 403 page that explains when they open such a form directly."""
import re

import pytest

from webapp.models import StudentCourse
from webapp.security import READ_ONLY_NOTICE, REGISTRARS_FORM

NOTICE = "You can view; only registrars can change enrollments."


@pytest.fixture
def records(make_student, make_course, make_term, registrar):
    term = make_term("FALL", "2026-09-01", "2026-12-18")
    student = make_student(name="Ada Lovelace")
    course = make_course(code="MATH-101", capacity=30, term=term)
    StudentCourse.create(student=student, course=course)
    full = make_course(code="ART-1", capacity=1, term=term)  # the override page's reason
    StudentCourse.create(student=make_student(), course=full)
    return {"student": student.id, "course": course.id, "term": term.id, "user": registrar.id,
            "full": full.id}


FORMS = ["/students/new", "/students/{student}/edit", "/courses/new", "/courses/{course}/edit",
         "/courses/{course}/students/{student}/remove", "/terms/new", "/terms/{term}/edit",
         "/students/{student}/courses/confirm?add={full}", "/accounts/new",
         "/accounts/{user}/deactivate", "/accounts/{user}/reset-password",
         "/accounts/{user}/revoke-tokens"]


@pytest.mark.parametrize("form", FORMS)
def test_staff_opening_a_form_get_a_403_page_that_explains(staff_client, records, form,
                                                          db_snapshot):
    before = db_snapshot()
    response = staff_client.get(form.format(**records))
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "<h1>Not allowed</h1>" in page and REGISTRARS_FORM in page
    assert "<form" not in page.split('<main id="main">')[1]  # nothing to type into
    assert db_snapshot() == before


@pytest.mark.parametrize("form", FORMS)
def test_registrars_open_the_same_forms(client, records, form):
    assert client.get(form.format(**records)).status_code == 200


def test_staff_still_manage_their_own_account_and_tokens(staff_client):
    for page in ("/account", "/account/tokens"):
        assert staff_client.get(page).status_code == 200


PAGES = ["/", "/students/", "/students/{student}", "/courses/", "/courses/{course}",
         "/terms/"]


@pytest.mark.parametrize("page", PAGES)
def test_each_editable_page_tells_staff_once_and_links_to_no_form(staff_client, client,
                                                                 records, page):
    url = page.format(**records)
    html = staff_client.get(url).get_data(as_text=True)
    assert READ_ONLY_NOTICE == NOTICE and html.count(NOTICE) == 1
    links = re.findall(r'href="([^"]+)"', html)
    forms = {form.format(**records).split("?")[0] for form in FORMS}
    assert [link for link in links if link.split("?")[0] in forms] == []
    assert NOTICE not in client.get(url).get_data(as_text=True)


def test_registrars_see_the_links_staff_do_not(client, records):
    html = client.get(f"/courses/{records['course']}").get_data(as_text=True)
    assert f'href="/courses/{records["course"]}/edit"' in html
    assert f'href="/courses/{records["course"]}/students/{records["student"]}/remove"' in html


def test_pages_that_change_nothing_carry_no_notice(staff_client):
    assert NOTICE not in staff_client.get("/account").get_data(as_text=True)
