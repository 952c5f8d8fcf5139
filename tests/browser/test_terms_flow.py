"""Terms, meeting times and clashes in the browser: set up a term and two clashing courses,
tick one then the other, read why, enroll anyway with a reason, see it in History and in
the timetable; by keyboard alone; without JS; the course form's rows; printing the week."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.test_checklist import open_student, page_without_js, still_same_page
from webapp.models import Course, EnrollmentEvent, StudentCourse
from webapp.rules import terms


@pytest.fixture(autouse=True)
def fall_is_now(monkeypatch):
    """The served app runs in this process: its 'today' falls inside FALL below."""
    monkeypatch.setattr(terms, "today", lambda zone: date(2026, 10, 1))


def add_course(page, code, title, day, start, end):
    """Fill in the course form for `code`, meeting once a week, in the term FALL."""
    page.goto("/courses/new")
    page.get_by_label("Code").fill(code)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Term").select_option(label="Fall 2026 (FALL)")
    meeting = page.get_by_role("group", name="Meeting 1")
    meeting.get_by_role("checkbox", name=day).check()
    meeting.get_by_label("Starts").fill(start)
    meeting.get_by_label("Ends").fill(end)
    page.get_by_role("button", name="Add course").click()
    expect(page.get_by_role("heading", name=f"{code} — {title}")).to_be_visible()


def test_set_up_a_term_and_clashing_courses_then_override_with_a_reason(page, make_student):
    ada = make_student(name="Ada Lovelace")
    page.goto("/terms/")
    page.get_by_role("link", name="New term").click()
    page.get_by_label("Code").fill("fall")
    page.get_by_label("Name").fill("Fall 2026")
    page.get_by_label("First day").fill("2026-09-01")
    page.get_by_label("Last day").fill("2026-12-18")
    page.get_by_role("button", name="Add term").click()
    expect(page.get_by_text("Added FALL.")).to_be_visible()
    expect(page.get_by_role("cell", name="1 Sep 2026 – 18 Dec 2026")).to_be_visible()
    add_course(page, "MATH-101", "Algebra", "Mon", "09:00", "10:00")
    add_course(page, "PHY-201", "Physics", "Mon", "09:30", "11:00")
    expect(page.get_by_text("Mon 09:30–11:00")).to_be_visible()

    open_student(page, ada)
    expect(page.get_by_role("combobox", name="Term")).to_have_value(
        str(Course.get(Course.code == "MATH-101").term_id))
    page.get_by_role("checkbox", name="MATH-101 — Algebra").check()
    expect(page.get_by_text("Enrolled in 1 course.")).to_be_visible()
    physics = page.get_by_role("checkbox", name="PHY-201 — Physics")
    physics.click()
    expect(page.get_by_text("Clashes with MATH-101, Mon 09:30–10:00", exact=True)).to_be_visible()
    expect(physics).not_to_be_checked()
    expect(physics).to_have_accessible_description(re.compile("Clashes with MATH-101"))
    expect(page.get_by_role("status").filter(has_text="Not enrolled in PHY-201")).to_have_count(1)
    assert StudentCourse.select().count() == 1

    page.get_by_role("textbox", name="Reason to enroll anyway").fill("Lab moves to 10:00")
    page.get_by_role("button", name="Enroll anyway").click()
    expect(physics).to_be_checked()
    expect(page.get_by_text("Enrolled in 2 courses.")).to_be_visible()
    history = page.get_by_role("region", name="History")
    expect(history.get_by_text("— overridden: Lab moves to 10:00")).to_be_visible()
    week = page.locator("#timetable")
    expect(week.get_by_text("Clash with MATH-101")).to_be_visible()
    expect(week.get_by_text("Clash with PHY-201")).to_be_visible()
    assert still_same_page(page)
    assert EnrollmentEvent.get(EnrollmentEvent.override_reason.is_null(False)).override_reason \
        == "Lab moves to 10:00"


@pytest.fixture
def clashing(make_student, make_course, make_term):
    fall = make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")
    ada = make_student(name="Ada Lovelace")
    maths = make_course(code="MATH-101", title="Algebra", term=fall,
                        meetings=["mon wed 09:00-10:00 B12"])
    StudentCourse.create(student=ada, course=maths)
    physics = make_course(code="PHY-201", title="Physics", term=fall,
                          meetings=["wed 09:30-11:00"])
    return ada, maths, physics


def test_keyboard_only_refusal_and_enroll_anyway(page, clashing, enrolled):
    ada, _, physics = clashing
    open_student(page, ada)
    page.get_by_role("searchbox", name="Filter courses").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # MATH-101 first, then PHY-201
    box = page.get_by_role("checkbox", name="PHY-201 — Physics")
    expect(box).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_text("Clashes with MATH-101, Wed 09:30–10:00", exact=True)).to_be_visible()
    expect(box).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("textbox", name="Reason to enroll anyway")).to_be_focused()
    page.keyboard.type("Needed for graduation")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Enroll anyway")).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_be_checked()
    expect(page.get_by_text("Enrolled in 2 courses.")).to_be_visible()
    assert enrolled(ada, physics)


def test_enroll_anyway_without_a_reason_is_stopped_in_the_browser(page, clashing, enrolled):
    ada, _, physics = clashing
    open_student(page, ada)
    page.get_by_role("checkbox", name="PHY-201 — Physics").click()
    page.get_by_role("button", name="Enroll anyway").click()
    reason = page.get_by_role("textbox", name="Reason to enroll anyway")
    assert reason.evaluate("input => input.validity.valueMissing")
    assert not enrolled(ada, physics)


def test_without_javascript_a_clash_leads_to_a_confirmation_page(browser, base_url,
                                                                 session_cookie, clashing,
                                                                 enrolled):
    ada, _, physics = clashing
    with page_without_js(browser, base_url, session_cookie) as page:
        page.goto(f"/students/{ada.id}")
        page.get_by_role("checkbox", name="PHY-201 — Physics").check()
        page.get_by_role("button", name="Save enrollments").click()
        expect(page.get_by_role("heading", name="Enroll Ada Lovelace anyway?")).to_be_visible()
        expect(page.get_by_text("Clashes with MATH-101, Wed 09:30–10:00", exact=True)).to_be_visible()
        assert not enrolled(ada, physics)
        page.get_by_label("Reason to enroll anyway (kept in the history)").fill("Approved")
        page.get_by_role("button", name="Enroll anyway").click()
        expect(page.get_by_text("Enrolled in PHY-201", exact=True)).to_be_visible()
        expect(page.get_by_text("— overridden: Approved")).to_be_visible()
    assert enrolled(ada, physics)


def test_the_term_switcher_swaps_courses_and_week_in_place(page, clashing, make_term,
                                                           make_course):
    ada, _, _ = clashing
    spring = make_term("SPRING", "2027-01-11", "2027-05-28", name="Spring 2027")
    make_course(code="MATH-201", title="Calculus", term=spring)
    open_student(page, ada)
    expect(page.get_by_role("heading", name="Week — Fall 2026")).to_be_visible()
    page.get_by_role("combobox", name="Term").select_option(
        label="Spring 2027 (11 Jan 2027 – 28 May 2027)")
    expect(page.get_by_role("heading", name="Courses — Spring 2027")).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(1)
    expect(page.get_by_role("checkbox", name="MATH-201 — Calculus")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"\?term={spring.id}$"))
    assert still_same_page(page)


def test_meeting_rows_are_added_and_removed_in_place(page, make_course):
    page.goto("/courses/new")
    page.evaluate("window.registrarMarker = 'same page'")
    page.get_by_label("Code").fill("ART-1")
    page.get_by_role("group", name="Meeting 1").get_by_label("Room (optional)").fill("Studio")
    page.get_by_role("button", name="Add a meeting").click()
    second = page.get_by_role("group", name="Meeting 2")
    expect(second).to_be_visible()
    second.get_by_role("checkbox", name="Fri").check()
    second.get_by_label("Starts").fill("13:00")
    second.get_by_label("Ends").fill("15:00")
    page.get_by_role("button", name="Remove meeting 1").click()
    expect(page.get_by_role("group", name="Meeting 2")).to_have_count(0)
    expect(page.get_by_role("group", name="Meeting 1").get_by_label("Starts")).to_have_value(
        "13:00")
    expect(page.get_by_label("Code")).to_have_value("ART-1")  # only the rows were swapped
    assert still_same_page(page)
    page.get_by_label("Title").fill("Art")
    page.get_by_label("Prerequisites (optional)").fill("ART-0")
    page.get_by_label("Title").press("Enter")   # Enter saves; it does not press a row button
    expect(page.get_by_role("heading", name="ART-1 — Art")).to_be_visible()
    expect(page.get_by_text("Fri 13:00–15:00")).to_be_visible()
    expect(page.get_by_text("ART-0", exact=True)).to_be_visible()


def test_without_javascript_meeting_rows_are_added_by_a_round_trip(browser, base_url,
                                                                   session_cookie):
    with page_without_js(browser, base_url, session_cookie) as page:
        page.goto("/courses/new")
        page.get_by_label("Code").fill("ART-2")
        page.get_by_role("button", name="Add a meeting").click()
        expect(page.get_by_role("group", name="Meeting 2")).to_be_visible()
        expect(page.get_by_label("Code")).to_have_value("ART-2")
        page.get_by_role("button", name="Remove meeting 2").click()
        expect(page.get_by_role("group", name="Meeting 2")).to_have_count(0)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_week_prints_on_one_page(page, make_student, make_course, make_term, paper):
    fall = make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")
    ada = make_student(name="Ada Lovelace")
    days = ["mon", "tue", "wed", "thu", "fri", "sat"]
    for n in range(14):  # 07:00 to 21:00, every day, some clashing
        course = make_course(code=f"C-{n:02d}", term=fall, meetings=[
            f"{days[n % 6]} {days[(n + 2) % 6]} {7 + n:02d}:00-{8 + n:02d}:30 R{n}"])
        StudentCourse.create(student=ada, course=course)
    for n in range(60):
        make_course(code=f"X-{n:02d}", term=fall)  # a long checklist that must not print
    page.goto(f"/students/{ada.id}")
    pdf = page.pdf(format=paper, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
