"""Waitlists in a real browser: join and leave from the checklist with htmx and without JS,
and the course page's queue; axe finds nothing."""
from playwright.sync_api import expect

from tests.browser.conftest import page_without_js
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_checklist import open_student, still_same_page
from webapp.models import StudentCourse, WaitlistEntry
from webapp.rules import waitlist


def waiting(student, course):
    return WaitlistEntry.select().where(WaitlistEntry.student == student.id,
                                        WaitlistEntry.course == course.id).exists()


def a_full_course(make_student, make_course, queue=1):
    course = make_course(code="BIO-1", title="Cells", capacity=1)
    StudentCourse.create(student=make_student(name="Alan Turing"), course=course)
    for n in range(queue):
        waitlist.join(course.id, make_student(name=f"Waiting {n + 1}").id)
    return course


def test_joining_and_leaving_the_waitlist_in_place(page, make_student, make_course):
    course = a_full_course(make_student, make_course, queue=2)
    student = make_student(name="Ada Lovelace")
    open_student(page, student)
    row = page.locator(f"#course-row-{course.id}")
    expect(row).to_contain_text("Full · 2 waiting")

    page.get_by_role("button", name="Join waitlist for BIO-1").click()

    expect(row).to_contain_text("Waitlisted — 3rd of 3")
    expect(page.get_by_role("status").filter(
        has_text="Waitlisted for BIO-1: 3rd in line")).to_have_count(1)
    expect(page.locator("#history-list")).to_contain_text(
        "Rita Registrar added Ada Lovelace to the waitlist for BIO-1")
    assert waiting(student, course) and still_same_page(page)
    assert_no_violations(page)

    page.get_by_role("button", name="Leave the waitlist for BIO-1").click()

    expect(row).to_contain_text("Full · 2 waiting")
    expect(page.get_by_role("button", name="Join waitlist for BIO-1")).to_be_visible()
    assert not waiting(student, course) and still_same_page(page)


def test_joining_and_leaving_without_javascript(browser, base_url, session_cookie,
                                                make_student, make_course):
    course = a_full_course(make_student, make_course)
    student = make_student()
    with page_without_js(browser, base_url, session_cookie) as page:
        page.goto(f"/students/{student.id}")
        page.get_by_role("button", name="Join waitlist for BIO-1").click()
        expect(page.get_by_text("Waitlisted for BIO-1: 2nd in line")).to_be_visible()
        expect(page.locator(f"#course-row-{course.id}")).to_contain_text(
            "Waitlisted — 2nd of 2")
        assert waiting(student, course)
        page.get_by_role("button", name="Leave the waitlist for BIO-1").click()
        expect(page.get_by_text("Left the waitlist for BIO-1")).to_be_visible()
    assert not waiting(student, course)


def test_unticking_announces_who_got_the_seat(page, make_student, make_course):
    course = a_full_course(make_student, make_course, queue=1)
    holder = StudentCourse.get(StudentCourse.course == course.id).student
    open_student(page, holder)
    page.get_by_role("checkbox", name="BIO-1 — Cells").uncheck()
    expect(page.get_by_role("status").filter(
        has_text="Removed from BIO-1. Waiting 1 got the seat in BIO-1 from the waitlist"
    )).to_have_count(1)
    expect(page.locator(f"#course-row-{course.id}")).to_contain_text("Full")


def test_the_course_page_queue_moves_and_enrolls_with_a_reason(page, make_student,
                                                               make_course):
    course = a_full_course(make_student, make_course, queue=3)
    page.goto(f"/courses/{course.id}")
    assert_no_violations(page)

    page.get_by_role("button", name="Move down Waiting 1").click()
    expect(page.locator(".flashes")).to_contain_text(
        "Waiting 1 is now number 2 on the waitlist for BIO-1.")
    page.get_by_role("textbox", name="Reason to enroll Waiting 3 over capacity").fill(
        "Extra bench")
    page.get_by_role("button", name="Enroll now Waiting 3").click()

    expect(page.locator(".flashes")).to_contain_text(
        "Enrolled Waiting 3 in BIO-1 from the waitlist (override: Extra bench).")
    names = page.locator(".waitlist-entry a")
    expect(names).to_have_text(["Waiting 2", "Waiting 1"])
    assert_no_violations(page)
