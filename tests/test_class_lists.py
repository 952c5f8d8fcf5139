"""Class lists to print: one course, several, a term's; the sign-in sheet; bad input."""
import re

import pytest
from playhouse.test_utils import assert_query_count

from webapp.models import StudentCourse


def enroll(course, *students):
    for student in students:
        StudentCourse.create(student=student, course=course)


def names_in_order(html):
    return re.findall(r"<tr><td class=\"num\">\d+</td><td>([^<]*)</td>", html)


@pytest.fixture
def maths(make_course, make_student, make_term):
    fall = make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")
    course = make_course(code="MATH-101", title="Algebra", term=fall,
                         meetings=["mon wed 09:00-10:30 B12", "fri 13:00-14:00 Lab 2"])
    enroll(course, make_student(name="Grace Hopper", student_number="S-3"),
           make_student(name="Ada Lovelace", student_number="S-1"),
           make_student(name="Alan Turing"))
    return course


def test_class_list_shows_the_course_and_its_students_by_family_name_with_number(client, maths):
    response = client.get(f"/courses/{maths.id}/class-list")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "MATH-101 — Algebra" in html and "Fall 2026 (1 Sep 2026 – 18 Dec 2026)" in html
    assert "Mon, Wed 09:00–10:30, room B12; Fri 13:00–14:00, room Lab 2" in html
    assert "<dd>B12, Lab 2</dd>" in html and "<dd>3</dd>" in html
    assert names_in_order(html) == ["Grace Hopper", "Ada Lovelace", "Alan Turing"]
    assert "<td>S-1</td>" in html and "<td>—</td>" in html  # Alan has no number
    assert 'scope="col">Student number</th>' in html and "Signature" not in html
    assert "Show as sign-in sheet" in html


def test_sign_in_sheet_adds_a_blank_signature_column(client, maths):
    html = client.get(f"/courses/{maths.id}/class-list?variant=sign-in").get_data(as_text=True)
    assert 'class="signature">Signature</th>' in html
    assert html.count('<td class="signature"></td>') == 3
    assert "Sign-in sheet — MATH-101" in html and "Show as class list" in html


def test_course_page_links_to_its_class_list_and_sign_in_sheet(client, maths):
    html = client.get(f"/courses/{maths.id}").get_data(as_text=True)
    assert f'href="/courses/{maths.id}/class-list">Print class list</a>' in html
    assert f'href="/courses/{maths.id}/class-list?variant=sign-in">Print sign-in sheet' in html


def test_a_course_without_students_term_or_meetings_says_so(client, make_course):
    course = make_course(code="ART-1")
    html = client.get(f"/courses/{course.id}/class-list").get_data(as_text=True)
    assert "Nobody is enrolled in ART-1." in html
    assert "No term" in html and "No meeting times" in html and "<dd>—</dd>" in html


def test_several_courses_by_id_come_one_section_each_by_code(client, maths, make_course,
                                                              make_student):
    art = make_course(code="ART-1", title="Drawing")
    enroll(art, make_student(name="Frida Kahlo"))
    html = client.get(f"/courses/class-lists?ids={maths.id}&ids={art.id}&ids={art.id}"
                      ).get_data(as_text=True)
    sections = html.split('<section class="class-list"')[1:]
    assert len(sections) == 2
    assert "ART-1 — Drawing" in sections[0] and "Frida Kahlo" in sections[0]
    assert "MATH-101 — Algebra" in sections[1] and "Ada Lovelace" in sections[1]
    assert "Class list — 2 courses" in html


def test_a_terms_class_lists_hold_every_course_of_the_term(client, maths, make_course,
                                                           make_term):
    make_course(code="PHY-1", term=maths.term)
    spring = make_term("SPRING", "2027-01-11", "2027-05-28", name="Spring 2027")
    make_course(code="BIO-1", term=spring)
    make_course(code="NO-TERM")
    html = client.get(f"/courses/class-lists?term={maths.term_id}").get_data(as_text=True)
    assert "Class list — Fall 2026" in html
    assert re.findall(r'<h2 id="class-list-\d+">([A-Z0-9-]+)', html) == ["MATH-101", "PHY-1"]
    html = client.get("/courses/class-lists?term=none&variant=sign-in").get_data(as_text=True)
    assert re.findall(r'<h2 id="class-list-\d+">([A-Z0-9-]+)', html) == ["NO-TERM"]
    assert "Sign-in sheet — Courses without a term" in html


def test_the_course_list_of_a_term_links_to_its_class_lists(client, maths):
    html = client.get(f"/courses/?term={maths.term_id}").get_data(as_text=True)
    assert f'href="/courses/class-lists?term={maths.term_id}"' in html
    assert "class-lists" not in client.get("/courses/").get_data(as_text=True)


@pytest.mark.parametrize("query, status, message", [
    ("", 400, "Choose the courses"),
    ("?ids=abc", 400, "ids must be whole numbers"),
    ("?ids=0", 400, "ids must be whole numbers"),
    ("?ids=99999", 404, "There is no course with id 99999"),
    ("?term=99999", 404, "There is no such term"),
    ("?term=none&ids=1", 400, "either course ids or a term"),
    ("?term=none&variant=poster", 400, "variant must be sign-in"),
])
def test_bad_class_list_requests_say_why(client, maths, query, status, message):
    response = client.get(f"/courses/class-lists{query}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_unknown_course_or_variant_on_a_course_class_list(client, maths):
    assert client.get("/courses/99999/class-list").status_code == 404
    response = client.get(f"/courses/{maths.id}/class-list?variant=x")
    assert response.status_code == 400 and b"variant must be sign-in" in response.data


def test_read_only_staff_may_print_class_lists(staff_client, maths):
    response = staff_client.get(f"/courses/{maths.id}/class-list")
    assert response.status_code == 200 and b"Ada Lovelace" in response.data


def test_class_lists_cost_the_same_queries_for_two_courses_or_twenty(client, make_course,
                                                                      make_student):
    courses = [make_course(meetings=["tue 10:00-11:00 R1"]) for _ in range(20)]
    for course in courses:
        enroll(course, make_student(), make_student())

    def cost(ids):
        query = "&".join(f"ids={course.id}" for course in ids)
        with assert_query_count(4):  # session, courses with terms, meetings, students
            assert client.get(f"/courses/class-lists?{query}").status_code == 200
    cost(courses[:2])
    cost(courses)
