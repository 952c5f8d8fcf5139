"""Signing in through the form: a registrar's change shows in History under their name;
staff see the same page read-only; the sign-in page passes axe."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import page_without_js
from tests.conftest import PASSWORD
from webapp.models import UserSession


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
    expect(history.get_by_role("listitem")).to_contain_text(
        "Rita Registrar enrolled Ada Lovelace in MATH-101")
    expect(fresh_page.get_by_text("No enrollment changes yet.")).to_be_hidden()
    fresh_page.get_by_role("checkbox", name="MATH-101 — Algebra").uncheck()
    expect(history.get_by_role("listitem").first).to_contain_text(
        "removed Ada Lovelace from MATH-101")
    history.get_by_role("button", name="Undo removal of Ada Lovelace from MATH-101").click()
    expect(fresh_page.get_by_text("Enrolled Ada Lovelace in MATH-101 again.")).to_be_visible()
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


def sign_in_again_lands_on(page, registrar, url):
    """On the sign-in page after a session ended: the message, then back to `url`."""
    expect(page.get_by_text("Your session ended — sign in again.")).to_be_visible()
    page.get_by_label("Email").fill(registrar.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))


def test_a_tick_after_the_session_expired_signs_in_again_and_comes_back(
        page, registrar, make_student, make_course, enrolled):
    student = make_student(name="Ada Lovelace")
    course = make_course(code="MATH-101", title="Algebra")
    page.goto(f"/students/{student.id}?q=alg")
    UserSession.delete().execute()  # the session expires while the page is open
    page.get_by_role("checkbox", name="MATH-101 — Algebra").click()
    sign_in_again_lands_on(page, registrar, f"/students/{student.id}?q=alg")
    assert not enrolled(student, course)
    box = page.get_by_role("checkbox", name="MATH-101 — Algebra")
    expect(box).not_to_be_checked()
    box.check()
    expect(page.get_by_text("Enrolled in 1 course.")).to_be_visible()
    assert enrolled(student, course)


def test_a_tick_after_signing_out_in_another_tab_signs_in_again_and_comes_back(
        page, context, registrar, make_student, make_course, enrolled):
    student = make_student(name="Ada Lovelace")
    course = make_course(code="MATH-101", title="Algebra")
    page.goto(f"/students/{student.id}")
    other_tab = context.new_page()
    other_tab.goto("/")
    other_tab.get_by_role("button", name="Sign out").click()
    expect(other_tab.get_by_text("You are signed out.")).to_be_visible()
    page.get_by_role("checkbox", name="MATH-101 — Algebra").click()
    expect(page.get_by_text("The CSRF tokens do not match.")).to_have_count(0)
    sign_in_again_lands_on(page, registrar, f"/students/{student.id}")
    assert not enrolled(student, course)


def test_without_javascript_saving_after_the_session_expired_comes_back_to_the_page(
        browser, base_url, session_cookie, registrar, make_student, make_course, enrolled):
    student = make_student(name="Ada Lovelace")
    course = make_course(code="MATH-101", title="Algebra")
    with page_without_js(browser, base_url, session_cookie) as page:
        page.goto(f"/students/{student.id}")
        UserSession.delete().execute()
        page.get_by_role("checkbox", name="MATH-101 — Algebra").check()
        page.get_by_role("button", name="Save enrollments").click()
        sign_in_again_lands_on(page, registrar, f"/students/{student.id}")
    assert not enrolled(student, course)
