"""The student page's course checklist: ticks enroll in place, with and without JS."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import page_without_js
from webapp.models import Course, StudentCourse
from webapp.rules.checklist import SHOWN_COURSES


def open_student(page, student):
    page.goto(f"/students/{student.id}")
    # Set before any click: a full reload would lose it.
    page.evaluate("window.registrarMarker = 'same page'")


def still_same_page(page):
    return page.evaluate("window.registrarMarker") == "same page"


def test_ticking_a_course_enrolls_in_place(page, make_student, make_course, enrolled):
    student = make_student(name="Ada Lovelace")
    course = make_course(code="MATH-101", title="Algebra", capacity=30)
    open_student(page, student)
    box = page.get_by_role("checkbox", name="MATH-101 — Algebra")
    box.check()
    expect(page.get_by_text("29 of 30 seats left")).to_be_visible()
    expect(page.get_by_text("Enrolled in 1 course.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Enrolled in MATH-101")).to_have_count(1)
    expect(box).to_be_checked()
    expect(box).to_be_focused()
    assert enrolled(student, course)
    assert still_same_page(page)


def test_unticking_a_course_removes_it(page, make_student, make_course, enrolled):
    student = make_student()
    course = make_course(code="MATH-101", title="Algebra", capacity=30)
    StudentCourse.create(student=student, course=course)
    open_student(page, student)
    page.get_by_role("checkbox", name="MATH-101 — Algebra").uncheck()
    expect(page.get_by_text("30 of 30 seats left")).to_be_visible()
    expect(page.get_by_text("Enrolled in 0 courses.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Removed from MATH-101")).to_have_count(1)
    assert not enrolled(student, course)
    assert still_same_page(page)


def test_a_full_course_cannot_be_ticked(page, make_student, make_course):
    full = make_course(code="BIO-1", title="Cells", capacity=1)
    StudentCourse.create(student=make_student(), course=full)
    open_student(page, make_student())
    box = page.get_by_role("checkbox", name="BIO-1 — Cells")
    expect(box).to_be_disabled()
    expect(box).to_have_accessible_description("Full")


def test_course_that_fills_after_page_load_shows_full_and_writes_nothing(
        page, make_student, make_course, enrolled):
    student = make_student()
    course = make_course(code="BIO-1", title="Cells", capacity=1)
    open_student(page, student)
    StudentCourse.create(student=make_student(), course=course)  # someone else was quicker
    box = page.get_by_role("checkbox", name="BIO-1 — Cells")
    box.click()
    expect(page.get_by_text("Course is full", exact=True)).to_be_visible()
    expect(box).not_to_be_checked()
    expect(box).to_be_disabled()
    assert not enrolled(student, course)
    assert still_same_page(page)


def test_keyboard_only_tab_to_a_checkbox_and_space_toggles(page, make_student, make_course,
                                                           enrolled):
    student = make_student()
    course = make_course(code="ART-1", title="Drawing")
    make_course(code="MATH-101", title="Algebra")
    open_student(page, student)
    page.get_by_role("searchbox", name="Filter courses").focus()
    page.keyboard.press("Tab")
    box = page.get_by_role("checkbox", name="ART-1 — Drawing")
    expect(box).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_text("Enrolled in 1 course.")).to_be_visible()
    expect(box).to_be_checked()
    expect(box).to_be_focused()
    assert enrolled(student, course)
    page.keyboard.press("Space")
    expect(page.get_by_text("Enrolled in 0 courses.")).to_be_visible()
    assert not enrolled(student, course)


def test_filter_box_narrows_the_course_list(page, make_student, make_course):
    student = make_student()
    make_course(code="ART-1", title="Drawing")
    make_course(code="MATH-101", title="Algebra")
    open_student(page, student)
    page.get_by_role("searchbox", name="Filter courses").fill("algeb")
    expect(page.get_by_role("checkbox", name="MATH-101 — Algebra")).to_be_visible()
    expect(page.get_by_role("checkbox", name="ART-1 — Drawing")).to_be_hidden()


def test_without_javascript_the_checklist_saves_by_form_submit(browser, base_url, session_cookie,
                                                               make_student, make_course,
                                                               enrolled):
    student = make_student()
    math = make_course(code="MATH-101", title="Algebra", capacity=30)
    art = make_course(code="ART-1", title="Drawing")
    StudentCourse.create(student=student, course=art)
    with page_without_js(browser, base_url, session_cookie) as page:
        page.goto(f"/students/{student.id}")
        page.get_by_role("checkbox", name="MATH-101 — Algebra").check()
        page.get_by_role("checkbox", name="ART-1 — Drawing").uncheck()
        page.get_by_role("button", name="Save enrollments").click()
        expect(page.get_by_text("Enrolled in MATH-101", exact=True)).to_be_visible()
        expect(page.get_by_text("Removed from ART-1", exact=True)).to_be_visible()
        expect(page.get_by_text("29 of 30 seats left")).to_be_visible()
        expect(page.get_by_role("checkbox", name="MATH-101 — Algebra")).to_be_checked()
    assert enrolled(student, math) and not enrolled(student, art)


def test_a_refused_token_shows_the_error_page_not_a_page_inside_the_row(page, make_student,
                                                                        make_course, enrolled):
    student = make_student()
    course = make_course(code="MATH-101", title="Algebra")
    open_student(page, student)
    # As after the token expired: the server refuses the toggle with a 400 page.
    page.locator("body").evaluate("""body => {
        body.setAttribute('hx-headers:inherited', '{"X-CSRFToken": "stale"}');
        body.querySelectorAll('input[name=csrf_token]').forEach(input => input.value = 'stale');
    }""")
    # click, not check: check() would wait for a box that the error page replaces.
    page.get_by_role("checkbox", name="MATH-101 — Algebra").click()
    expect(page.get_by_role("heading", name="Bad request")).to_be_visible()
    expect(page.get_by_role("heading", name="Courses")).to_have_count(0)
    expect(page.locator("main")).to_have_count(1)
    assert not enrolled(student, course)


def make_catalogue(count):
    """Courses C-0000 … in one statement; returns the last one (beyond the first shown)."""
    Course.insert_many([{"code": f"C-{n:04d}", "title": f"Course {n}"}
                        for n in range(count)]).execute()
    return Course.get(Course.code == f"C-{count - 1:04d}")


def test_typing_in_the_filter_finds_a_course_beyond_the_shown_ones_and_back_works(
        page, make_student, enrolled):
    student = make_student()
    far = make_catalogue(SHOWN_COURSES + 20)
    open_student(page, student)
    note = f"Showing {SHOWN_COURSES} of {SHOWN_COURSES + 20} courses"
    expect(page.get_by_text(note)).to_be_visible()
    far_box = page.get_by_role("checkbox", name=f"{far.code} — {far.title}")
    expect(far_box).to_have_count(0)
    search = page.get_by_role("searchbox", name="Filter courses")
    search.fill(far.code)
    expect(far_box).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"\?q={far.code}$"))
    expect(search).to_be_focused()
    far_box.check()
    expect(page.get_by_text("Enrolled in 1 course.")).to_be_visible()
    assert enrolled(student, far) and still_same_page(page)
    page.go_back()
    expect(page.get_by_role("checkbox")).to_have_count(SHOWN_COURSES + 1)  # now one of theirs
    expect(page.get_by_role("checkbox", name=f"{far.code} — {far.title}")).to_be_checked()


def test_without_javascript_the_filter_is_a_form_and_saving_keeps_other_courses(
        browser, base_url, session_cookie, make_student, make_course, enrolled):
    student = make_student()
    art = make_course(code="ART-1", title="Drawing")
    math = make_course(code="MATH-101", title="Algebra")
    StudentCourse.create(student=student, course=art)
    with page_without_js(browser, base_url, session_cookie) as page:
        page.goto(f"/students/{student.id}")
        page.get_by_role("searchbox", name="Filter courses").fill("alg")
        page.get_by_role("button", name="Filter").click()
        expect(page).to_have_url(re.compile(r"\?q=alg$"))
        expect(page.get_by_role("checkbox")).to_have_count(1)
        page.get_by_role("checkbox", name="MATH-101 — Algebra").check()
        page.get_by_role("button", name="Save enrollments").click()
        expect(page.get_by_text("Enrolled in MATH-101", exact=True)).to_be_visible()
        expect(page).to_have_url(re.compile(r"\?q=alg$"))
    assert enrolled(student, math) and enrolled(student, art)  # ART-1 was not listed


def test_enter_on_a_box_never_saves_a_stale_page(page, context, make_student, make_course,
                                                 enrolled):
    student = make_student()
    math = make_course(code="MATH-101", title="Algebra")
    art = make_course(code="ART-1", title="Drawing")
    open_student(page, student)
    other_tab = context.new_page()
    other_tab.goto(f"/students/{student.id}")
    other_tab.get_by_role("checkbox", name="MATH-101 — Algebra").check()
    expect(other_tab.get_by_text("Enrolled in 1 course.")).to_be_visible()
    # Back in the first tab, which still shows MATH-101 unticked: Enter on another box.
    page.evaluate("document.addEventListener('submit', () => window.registrarSubmitted = true)")
    box = page.get_by_role("checkbox", name="ART-1 — Drawing")
    box.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("window.registrarSubmitted") is None and still_same_page(page)
    expect(box).not_to_be_checked()
    page.keyboard.press("Space")  # the key that does toggle: only this box
    expect(page.get_by_text("Enrolled in 2 courses.")).to_be_visible()
    assert enrolled(student, math) and enrolled(student, art)


def test_without_javascript_enter_on_a_stale_page_changes_only_the_box_changed_there(
        browser, base_url, session_cookie, make_student, make_course, enrolled):
    student = make_student()
    math = make_course(code="MATH-101", title="Algebra")
    art = make_course(code="ART-1", title="Drawing")
    with page_without_js(browser, base_url, session_cookie) as stale:
        stale.goto(f"/students/{student.id}")
        other_tab = stale.context.new_page()
        other_tab.goto(f"/students/{student.id}")
        other_tab.get_by_role("checkbox", name="MATH-101 — Algebra").check()
        other_tab.get_by_role("button", name="Save enrollments").click()
        expect(other_tab.get_by_text("Enrolled in MATH-101", exact=True)).to_be_visible()
        box = stale.get_by_role("checkbox", name="ART-1 — Drawing")
        box.check()
        box.press("Enter")  # submits the form the page drew before MATH-101 was ticked
        expect(stale.get_by_text("Enrolled in ART-1", exact=True)).to_be_visible()
        expect(stale.get_by_text("Enrolled in 2 courses.")).to_be_visible()
        expect(stale.get_by_role("checkbox", name="MATH-101 — Algebra")).to_be_checked()
    assert enrolled(student, math) and enrolled(student, art)
