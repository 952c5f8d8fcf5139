"""Signing in through the form: a registrar's change shows in History under their name;
staff see the same page read-only; the sign-in page passes axe."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import PASSWORD


@pytest.fixture
def fresh_page(browser, base_url):
    """A browser with no cookies at all (the `page` fixture starts signed in)."""
    context = browser.new_context(base_url=base_url)
    yield context.new_page()
    context.close()


def sign_in(page, email):
    page.goto("/students/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Students")).to_be_visible()


def test_a_registrar_signs_in_ticks_a_course_and_sees_it_in_history(fresh_page, registrar,
                                                                    make_student, make_course,
                                                                    enrolled):
    student, course = make_student(name="Ada Lovelace"), make_course(code="MATH-101",
                                                                     title="Algebra")
    sign_in(fresh_page, registrar.email)
    fresh_page.goto(f"/students/{student.id}")
    expect(fresh_page.get_by_text("No enrollment changes yet.")).to_be_visible()
    fresh_page.get_by_role("checkbox", name="MATH-101 — Algebra").check()
    history = fresh_page.get_by_role("region", name="History")
    expect(history.get_by_role("listitem")).to_have_count(1)
    expect(history.get_by_role("listitem")).to_contain_text("Rita Registrar enrolled in MATH-101")
    expect(fresh_page.get_by_text("No enrollment changes yet.")).to_be_hidden()
    fresh_page.get_by_role("checkbox", name="MATH-101 — Algebra").uncheck()
    expect(history.get_by_role("listitem").first).to_contain_text("removed from MATH-101")
    history.get_by_role("button", name="Undo removal from MATH-101").click()
    expect(fresh_page.get_by_text("Enrolled in MATH-101 again.")).to_be_visible()
    expect(fresh_page.get_by_role("checkbox", name="MATH-101 — Algebra")).to_be_checked()
    assert enrolled(student, course)


def test_staff_see_the_checklist_read_only(fresh_page, staff_user, make_student, make_course):
    student = make_student()
    make_course(code="MATH-101", title="Algebra")
    make_course(code="ART-1", title="Drawing")
    sign_in(fresh_page, staff_user.email)
    fresh_page.goto(f"/students/{student.id}")
    boxes = fresh_page.get_by_role("checkbox")
    expect(boxes).to_have_count(2)
    for box in boxes.all():
        expect(box).to_be_disabled()
    expect(fresh_page.get_by_role("button", name="Save enrollments")).to_have_count(0)
    expect(fresh_page.get_by_role("link", name="Edit")).to_have_count(0)


def test_a_wrong_password_is_refused_with_a_message(fresh_page, registrar):
    fresh_page.goto("/login")
    fresh_page.get_by_label("Email").fill(registrar.email)
    fresh_page.get_by_label("Password").fill("not the password")
    fresh_page.get_by_role("button", name="Sign in").click()
    expect(fresh_page.get_by_role("alert")).to_have_text(
        "That email and password do not match an active account.")


def test_sign_in_page_has_no_axe_violations(fresh_page):
    fresh_page.goto("/login")
    results = Axe().run(fresh_page)
    assert results.violations_count == 0, results.generate_report()
