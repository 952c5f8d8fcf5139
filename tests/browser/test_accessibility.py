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
        make_student(name=f"Pupil {n:02d}")
    page.goto(f"/courses/{math.id}")
    page.get_by_role("checkbox", name="Alan Turing").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("group", name="Selected (1)")).to_be_visible()
    assert_no_violations(page)
    page.get_by_role("searchbox", name="Find students to add").fill("a")
    expect(page.get_by_text("Selected", exact=True)).to_have_count(1)  # Alan, found again
    assert_no_violations(page)
