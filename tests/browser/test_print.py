"""Printing: Chromium's PDF of class lists (one page for 40 students, the header row on
every page of 200, one course a page), and no site chrome, buttons or forms on paper."""
import io

import pytest
from pypdf import PdfReader

from tests.browser.test_accessibility import assert_no_violations
from webapp.models import Student, StudentCourse

HEADER_LABELS = ("No.", "Name", "Student number")


def pdf_pages(page, paper="A4"):
    """The text of each page of the page printed to PDF."""
    pdf = page.pdf(format=paper, print_background=True)
    return [sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def course_of(make_course, make_term):
    """course_of(size, code=…): a course with `size` students (Pupil 001 …, N-001 …)."""
    fall = make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")
    made = iter(range(1, 1_000_000))

    def make(size, code=None):
        course = make_course(code=code, title="Algebra", term=fall,
                             meetings=["mon wed 09:00-10:30 B12"])
        first = next(made)
        ids = [Student.create(name=f"Pupil {first:02d}-{n:03d}",
                              email=f"p{first}-{n}@example.edu",
                              student_number=f"N{first:02d}-{n:03d}").id
               for n in range(1, size + 1)]
        StudentCourse.insert_many([(sid, course.id) for sid in ids],
                                  fields=[StudentCourse.student, StudentCourse.course]).execute()
        return course
    return make


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_40_student_class_list_prints_on_one_page(page, course_of, paper):
    course = course_of(40)
    page.goto(f"/courses/{course.id}/class-list")
    (text,) = pdf_pages(page, paper)
    assert "Pupil 01-001" in text and "Pupil 01-040" in text and "N01-040" in text


@pytest.mark.parametrize("variant", ["", "?variant=sign-in"])
def test_a_200_student_class_list_repeats_its_header_row_on_every_page(page, course_of,
                                                                       variant):
    course = course_of(200)
    page.goto(f"/courses/{course.id}/class-list{variant}")
    pages = pdf_pages(page)
    assert len(pages) >= 3
    labels = HEADER_LABELS + (("Signature",) if variant else ())
    for text in pages:
        assert all(label in text for label in labels), text[:200]
    everyone = "\n".join(pages)
    assert all(everyone.count(f"N01-{n:03d}") == 1 for n in range(1, 201))


def test_several_courses_print_one_course_a_page_each_starting_with_it(page, course_of):
    courses = [course_of(size, code) for size, code in
               [(5, "ART-1"), (40, "BIO-2"), (12, "CHEM-3")]]
    page.goto("/courses/class-lists?" + "&".join(f"ids={c.id}" for c in courses))
    pages = pdf_pages(page)
    assert len(pages) == 3
    for text, code in zip(pages, ["ART-1", "BIO-2", "CHEM-3"]):
        assert text.lstrip().startswith(f"{code} — Algebra")


def test_a_terms_class_lists_print_a_page_per_course(page, course_of):
    first = course_of(3, "ART-1")
    course_of(0, "BIO-2")
    page.goto("/courses/")
    page.get_by_role("combobox", name="Term").select_option("Fall 2026")
    page.get_by_role("link", name="Print class lists of every course in this term").click()
    pages = pdf_pages(page)
    assert [text.lstrip()[:5] for text in pages] == ["ART-1", "BIO-2"]
    assert "Nobody is enrolled in BIO-2." in pages[1]
    page.goto(f"/courses/{first.id}/class-list")
    assert_no_violations(page)


def test_class_list_and_sign_in_sheet_have_no_axe_violations(page, course_of):
    course = course_of(3)
    page.goto(f"/courses/{course.id}")
    page.get_by_role("link", name="Print sign-in sheet").click()
    assert_no_violations(page)
    page.get_by_role("link", name="Show as class list").click()
    assert_no_violations(page)


def test_printed_pages_carry_no_navigation_buttons_or_forms(page, course_of, make_student):
    course = course_of(2)
    make_student(name="Zed Candidate")  # listed under Add students on screen
    page.goto(f"/courses/{course.id}")
    (text,) = pdf_pages(page)
    assert "Pupil 01-001" in text and "Roster" in text
    for chrome in ["Skip to content", "Sign out", "Your account", "Edit", "Remove",
                   "Find students to add", "Zed Candidate", "Enroll selected", "Print class list",
                   "Download roster"]:
        assert chrome not in text
    page.goto("/students/")
    (text,) = pdf_pages(page)
    assert "Pupil 01-001" in text and "Sign out" not in text and "Search" not in text
