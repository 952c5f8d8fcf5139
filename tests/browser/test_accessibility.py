"""axe-core finds no violations on the main pages, nor after an in-place update."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from webapp.models import StudentCourse

AXE = Axe()


def assert_no_violations(page):
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def school(make_student, make_course):
    student = make_student(name="Ada Lovelace", email="ada@example.edu", student_number="S-1")
    math = make_course(code="MATH-101", title="Algebra", capacity=30)
    full = make_course(code="BIO-1", title="Cells", capacity=1)
    make_course(code="ART-1", title="Drawing")
    StudentCourse.create(student=make_student(name="Alan Turing"), course=full)
    StudentCourse.create(student=student, course=math)
    return student, math


def test_students_list_has_no_axe_violations(page, school):
    page.goto("/students/")
    assert_no_violations(page)


def test_student_page_has_no_axe_violations_before_and_after_a_toggle(page, school):
    student, _ = school
    page.goto(f"/students/{student.id}")
    assert_no_violations(page)
    page.get_by_role("checkbox", name="ART-1 — Drawing").check()
    expect(page.get_by_text("Enrolled in 2 courses.")).to_be_visible()
    assert_no_violations(page)


def test_course_page_has_no_axe_violations(page, school):
    _, math = school
    page.goto(f"/courses/{math.id}")
    assert_no_violations(page)


def test_course_page_with_a_selection_has_no_axe_violations(page, school, make_student):
    _, math = school
    for n in range(30):  # two pages of candidates
        make_student(name=f"Pupil Zimmer-{n:02d}")  # after Alan Turing, by family name
    page.goto(f"/courses/{math.id}")
    page.get_by_role("checkbox", name="Alan Turing").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("group", name="Selected (1)")).to_be_visible()
    assert_no_violations(page)
    page.get_by_role("searchbox", name="Find students to add").fill("a")
    expect(page.get_by_text("Selected", exact=True)).to_have_count(1)  # Alan, found again
# Terms, the course form, the timetable and the override controls -------------------

@pytest.fixture
def terms_school(make_student, make_course, make_term):
    fall = make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")
    make_term("SPRING", "2027-01-11", "2027-05-28", name="Spring 2027")
    ada = make_student(name="Ada Lovelace")
    maths = make_course(code="MATH-101", title="Algebra", term=fall,
                        meetings=["mon wed 09:00-10:00 B12"], prerequisites=[["ALG-1"]])
    StudentCourse.create(student=ada, course=maths)
    physics = make_course(code="PHY-201", title="Physics", term=fall,
                          meetings=["wed 09:30-11:00"])
    return ada, maths, physics


def test_terms_page_and_term_form_have_no_axe_violations(page, terms_school):
    page.goto("/terms/")
    assert_no_violations(page)
    page.get_by_role("link", name="New term").click()
    page.get_by_role("button", name="Add term").click()  # empty: every field explains
    expect(page.get_by_text("Enter a date like 2026-09-01.").first).to_be_visible()
    assert_no_violations(page)


def test_course_form_has_no_axe_violations_with_rows_and_errors(page, terms_school):
    _, maths, _ = terms_school
    page.goto(f"/courses/{maths.id}/edit")
    assert_no_violations(page)
    page.get_by_role("button", name="Add a meeting").click()
    expect(page.get_by_role("group", name="Meeting 2")).to_be_visible()
    page.get_by_role("group", name="Meeting 2").get_by_label("Starts").fill("10:00")
    page.get_by_label("Prerequisites (optional)").fill("not a code")
    page.get_by_role("button", name="Save").last.click()
    expect(page.get_by_text("Choose at least one day.")).to_be_visible()
    assert_no_violations(page)


def test_course_list_by_term_and_course_page_have_no_axe_violations(page, terms_school):
    _, maths, _ = terms_school
    page.goto(f"/courses/?term={maths.term_id}")
    assert_no_violations(page)
    page.goto(f"/courses/{maths.id}")
    assert_no_violations(page)


def test_student_page_with_timetable_and_a_refused_row_has_no_axe_violations(page,
                                                                            terms_school):
    ada, _, _ = terms_school
    page.goto(f"/students/{ada.id}")
    assert_no_violations(page)
    page.get_by_role("checkbox", name="PHY-201 — Physics").click()
    expect(page.get_by_role("button", name="Enroll anyway")).to_be_visible()
    assert_no_violations(page)
    page.get_by_role("textbox", name="Reason to enroll anyway").fill("Approved")
    page.get_by_role("button", name="Enroll anyway").click()
    expect(page.locator("#timetable").get_by_text("Clash with MATH-101")).to_be_visible()
    assert_no_violations(page)


def test_confirmation_page_has_no_axe_violations(page, terms_school):
    ada, _, physics = terms_school
    page.goto(f"/students/{ada.id}/courses/confirm?add={physics.id}")
    expect(page.get_by_role("heading", name="Enroll Ada Lovelace anyway?")).to_be_visible()
    assert_no_violations(page)
