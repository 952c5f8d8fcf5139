"""Course pages: list, roster, remove with confirmation, bulk add, CSV, forms."""
import csv
import io
import re

import pytest

from webapp.models import Course, StudentCourse


def roster_ids(course):
    return {row.student_id for row in
            StudentCourse.select().where(StudentCourse.course == course.id)}


def test_course_list_shows_enrolled_over_capacity(client, make_course, make_student):
    course = make_course(code="MATH-101", title="Algebra", capacity=30)
    make_course(code="ART-1", title="Drawing")
    StudentCourse.create(student=make_student(), course=course)
    html = client.get("/courses/").get_data(as_text=True)
    assert "MATH-101" in html and "Algebra" in html and "1 / 30" in html
    assert "0 / unlimited" in html


def test_course_search_filters_by_code_or_title(client, make_course):
    make_course(code="MATH-101", title="Algebra")
    make_course(code="ART-1", title="Drawing")
    html = client.get("/courses/?q=draw").get_data(as_text=True)
    assert "ART-1" in html and "MATH-101" not in html


def test_course_page_shows_roster_and_students_to_add(client, make_course, make_student):
    course = make_course(code="MATH-101")
    ada, alan = make_student(name="Ada Lovelace"), make_student(name="Alan Turing")
    StudentCourse.create(student=ada, course=course)
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    roster, candidates = html.split('id="add-heading"')
    assert "Ada Lovelace" in roster and "Alan Turing" not in roster
    assert "Alan Turing" in candidates and "Ada Lovelace" not in candidates


def test_unknown_course_is_a_404_page_in_the_layout(client):
    for url in ["/courses/999", "/courses/999/edit", "/courses/999/roster.csv"]:
        response = client.get(url)
        assert response.status_code == 404 and b'<nav aria-label="Main">' in response.data


def test_removing_asks_for_confirmation_then_removes(client, make_course, make_student):
    course, student = make_course(code="MATH-101"), make_student(name="Ada Lovelace")
    StudentCourse.create(student=student, course=course)
    confirm = client.get(f"/courses/{course.id}/students/{student.id}/remove")
    assert b"Remove Ada Lovelace from MATH-101?" in confirm.data
    assert roster_ids(course) == {student.id}
    response = client.post(f"/courses/{course.id}/students/{student.id}/remove",
                           follow_redirects=True)
    assert b"Removed Ada Lovelace from MATH-101." in response.data
    assert roster_ids(course) == set()


def test_removing_someone_not_on_the_roster_says_so(client, make_course, make_student):
    course, student = make_course(), make_student(name="Ada Lovelace")
    response = client.post(f"/courses/{course.id}/students/{student.id}/remove",
                           follow_redirects=True)
    assert b"Ada Lovelace was not on the roster." in response.data


def test_bulk_add_enrolls_every_ticked_student(client, make_course, make_student):
    course = make_course(capacity=10)
    students = [make_student() for _ in range(3)]
    response = client.post(f"/courses/{course.id}/students",
                           data={"student_ids": [str(s.id) for s in students]},
                           follow_redirects=True)
    assert b"Added 3 students." in response.data
    assert roster_ids(course) == {s.id for s in students}


def test_bulk_add_beyond_the_seats_left_adds_nobody(client, make_course, make_student):
    course = make_course(code="MATH-101", capacity=2)
    students = [make_student() for _ in range(3)]
    html = client.post(f"/courses/{course.id}/students",
                       data={"student_ids": [str(s.id) for s in students]},
                       follow_redirects=True).get_data(as_text=True)
    assert "MATH-101 has 2 seats left, not enough for 3 students; nobody was added." in html
    assert roster_ids(course) == set()


@pytest.mark.parametrize("ids, message", [([], "Tick at least one student"),
                                          (["999"], "no longer exist")])
def test_bulk_add_with_nothing_or_unknown_students_adds_nobody(client, make_course, ids,
                                                               message):
    course = make_course()
    html = client.post(f"/courses/{course.id}/students", data={"student_ids": ids},
                       follow_redirects=True).get_data(as_text=True)
    assert message in html and roster_ids(course) == set()


def test_bulk_add_to_unknown_course_is_404(client, make_student):
    response = client.post("/courses/999/students", data={"student_ids": [str(make_student().id)]})
    assert response.status_code == 404


def test_roster_csv_is_utf8_with_bom_and_lists_the_students(client, make_course, make_student):
    course = make_course(code="MATH-101")
    zoe = make_student(name="Zoë Ångström", email="zoe@example.edu", student_number="S-9")
    hacker = make_student(name="=HYPERLINK(1)", email="h@example.edu")
    for student in (zoe, hacker):
        StudentCourse.create(student=student, course=course)
    response = client.get(f"/courses/{course.id}/roster.csv")
    assert response.mimetype == "text/csv"
    assert 'filename="MATH-101-roster.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["name", "email", "student_number", "enrolled_at"]
    assert rows[1][0] == "'=HYPERLINK(1)"  # not run as a formula by a spreadsheet
    assert rows[2][:3] == ["Zoë Ångström", "zoe@example.edu", "S-9"]


@pytest.mark.parametrize("name", ["\t=1+1", "\r=1+1", "+1", "-1", "@SUM(A1)"])
def test_roster_csv_cells_a_spreadsheet_would_run_are_quoted(client, make_course,
                                                             make_student, name):
    course = make_course()
    StudentCourse.create(student=make_student(name=name), course=course)

    response = client.get(f"/courses/{course.id}/roster.csv")

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'" + name


def test_creating_a_course_uppercases_the_code(client):
    response = client.post("/courses/new", data={"code": "math-101", "title": "Algebra",
                                                 "capacity": "30"})
    course = Course.get(Course.code == "MATH-101")
    assert response.status_code == 303 and course.capacity == 30


@pytest.mark.parametrize("data, field, message", [
    ({"code": "TAKEN-1", "title": "X"}, "code", "already has this code"),
    ({"code": "NEW-1", "title": ""}, "title", "This field is required."),
    ({"code": "NEW-1", "title": "X", "capacity": "lots"}, "capacity", "Must be a whole number"),
    ({"code": "NEW-1", "title": "X", "capacity": "0"}, "capacity", "Must be at least 1"),
])
def test_invalid_course_form_shows_message_next_to_the_field(client, make_course, data, field,
                                                             message):
    make_course(code="TAKEN-1")
    html = client.post("/courses/new", data=data).get_data(as_text=True)
    assert re.search(r'id="%s-error">[^<]*%s' % (field, re.escape(message)), html)
    assert Course.select().count() == 1


def test_capacity_cannot_drop_below_current_enrollment(client, make_course, make_student):
    course = make_course(code="MATH-101", title="Algebra", capacity=5)
    for _ in range(3):
        StudentCourse.create(student=make_student(), course=course)
    html = client.post(f"/courses/{course.id}/edit", data={
        "code": "MATH-101", "title": "Algebra", "capacity": "2"}).get_data(as_text=True)
    assert "3 students are enrolled; capacity cannot be lower than that." in html
    assert Course.get_by_id(course.id).capacity == 5
    client.post(f"/courses/{course.id}/edit", data={"code": "MATH-101", "title": "Algebra",
                                                    "capacity": ""})
    assert Course.get_by_id(course.id).capacity is None


def test_course_page_offers_25_students_and_suggests_searching_for_more(client, make_course,
                                                                        make_student):
    course = make_course()
    for n in range(30):
        make_student(name=f"Student {n:02d}")
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Student 24" in html and "Student 25" not in html
    assert "Showing the first 25; search to find others." in html


def test_read_only_staff_see_the_roster_without_write_controls(staff_client, make_course,
                                                                make_student):
    course, student = make_course(code="MATH-101"), make_student(name="Ada Lovelace")
    StudentCourse.create(student=student, course=course)
    html = staff_client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Ada Lovelace" in html and "Download roster (CSV)" in html
    assert "Remove Ada Lovelace" not in html and "Add students" not in html
    response = staff_client.post(f"/courses/{course.id}/students/{student.id}/remove")
    assert response.status_code == 403 and roster_ids(course) == {student.id}
