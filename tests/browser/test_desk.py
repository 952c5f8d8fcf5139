"""The registrar's desk in a browser: the student page's summary follows a tick, and a
roster removal's message (and the course page's history) undoes it, with htmx and
without JavaScript."""
from playwright.sync_api import expect

from tests.browser.conftest import page_without_js
from tests.browser.test_accessibility import assert_no_violations
from webapp.models import StudentCourse


def test_the_summary_changes_in_place_when_a_tick_changes_enrollment(page, make_student,
                                                                     make_course):
    ada = make_student(name="Ada Lovelace")
    maths = make_course(code="MATH-101", title="Algebra", meetings=["mon 09:00-10:00 B12"])
    make_course(code="ART-1", title="Drawing")
    StudentCourse.create(student=ada, course=maths)
    page.goto(f"/students/{ada.id}")
    page.evaluate("window.registrarMarker = 'same page'")
    summary = page.get_by_role("region", name="Enrolled")
    expect(summary.get_by_role("listitem")).to_have_text(
        ["MATH-101 — Algebra Mon 09:00–10:00, room B12"])
    page.get_by_role("checkbox", name="ART-1 — Drawing").check()
    expect(summary.get_by_role("listitem")).to_have_text(
        ["ART-1 — Drawing No meeting times", "MATH-101 — Algebra Mon 09:00–10:00, room B12"])
    page.get_by_role("checkbox", name="MATH-101 — Algebra").uncheck()
    expect(summary.get_by_role("listitem")).to_have_text(["ART-1 — Drawing No meeting times"])
    assert page.evaluate("window.registrarMarker") == "same page"
    assert_no_violations(page)
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("region", name="History")).to_be_in_viewport()


def remove_from_roster(page, course, name):
    page.goto(f"/courses/{course.id}")
    page.get_by_role("link", name=f"Remove {name}").click()
    page.get_by_role("button", name="Remove").click()


def test_undo_in_the_removed_message_puts_the_student_back_in_place(page, make_student,
                                                                   make_course, enrolled):
    ada, course = make_student(name="Ada Lovelace"), make_course(code="PE-101", title="Gym")
    StudentCourse.create(student=ada, course=course)
    remove_from_roster(page, course, "Ada Lovelace")
    message = page.locator(".flash").filter(has_text="Removed Ada Lovelace from PE-101.")
    expect(message).to_be_visible()
    assert not enrolled(ada, course)
    assert_no_violations(page)
    page.evaluate("window.registrarMarker = 'same page'")
    message.get_by_role("button", name="Undo removal of Ada Lovelace from PE-101").click()
    expect(page.get_by_text("Enrolled Ada Lovelace in PE-101 again.")).to_be_visible()
    expect(page.get_by_role("region", name="Roster").get_by_role(
        "link", name="Ada Lovelace", exact=True)).to_be_visible()
    assert page.evaluate("window.registrarMarker") == "same page"  # swapped in place
    assert enrolled(ada, course)
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("listitem").first).to_contain_text(
        "Rita Registrar enrolled Ada Lovelace in PE-101")


def test_undo_without_javascript_from_the_message_and_the_course_history(
        browser, base_url, session_cookie, make_student, make_course, enrolled):
    ada, course = make_student(name="Ada Lovelace"), make_course(code="PE-101", title="Gym")
    StudentCourse.create(student=ada, course=course)
    with page_without_js(browser, base_url, session_cookie) as page:
        remove_from_roster(page, course, "Ada Lovelace")
        page.locator(".flash").get_by_role("button", name="Undo removal of Ada Lovelace "
                                                         "from PE-101").click()
        expect(page.get_by_text("Enrolled Ada Lovelace in PE-101 again.")).to_be_visible()
        assert enrolled(ada, course)
        remove_from_roster(page, course, "Ada Lovelace")
        page.goto(f"/courses/{course.id}")  # the message is gone; History still offers it
        history = page.get_by_role("region", name="History")
        history.get_by_role("button", name="Undo removal of Ada Lovelace from PE-101").click()
        expect(page).to_have_url(f"{base_url}/courses/{course.id}")
        expect(page.get_by_text("Enrolled Ada Lovelace in PE-101 again.")).to_be_visible()
        assert enrolled(ada, course)
