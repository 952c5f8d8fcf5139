"""Course pages: list, roster, remove with confirmation, bulk add, CSV, forms."""
import csv
import io
import re

import pytest

from tests.html_forms import form_fields
from webapp.models import Course, Student, StudentCourse
from webapp.pages.courses import SELECTION_LIMIT


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


def test_roster_csv_of_a_free_text_code_and_a_student_without_email(client, make_course):
    course = make_course(code="ÉTÉ 101 - \"A\"")
    StudentCourse.create(student=Student.create(name="Pupil", email=None), course=course)

    response = client.get(f"/courses/{course.id}/roster.csv")
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)

    disposition = response.headers["Content-Disposition"]
    assert 'filename="_T__101_-__A_-roster.csv"' in disposition
    assert "filename*=UTF-8''%C3%89T%C3%89%20101%20-%20%22A%22-roster.csv" in disposition
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[1][:3] == ["Pupil", "", ""]
    assert "<span class=\"muted\">No email</span>" in page and "<td>None" not in page


@pytest.mark.parametrize("name", ["\t=1+1", "\r=1+1", "+1", "-1", "@SUM(A1)"])
def test_roster_csv_cells_a_spreadsheet_would_run_are_quoted(client, make_course,
                                                             make_student, name):
    course = make_course()
    StudentCourse.create(student=make_student(name=name), course=course)

    response = client.get(f"/courses/{course.id}/roster.csv")

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'" + name


def test_creating_a_course_keeps_the_code_as_written(client):
    response = client.post("/courses/new", data={"code": "Phys 100 - 1", "title": "Physics",
                                                 "capacity": "30"})
    course = Course.get(Course.code == "Phys 100 - 1")
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


def add_form(client, course, url=None, tick=(), **change):
    """Fetch the course page (or `url`), then the Add students form's fields as the
    browser would send them after ticking `tick` and setting `change` (e.g. q=...)."""
    html = client.get(url or f"/courses/{course.id}").get_data(as_text=True)
    fields = form_fields(html, f"/courses/{course.id}/students")
    fields.setdefault("student_ids", []).extend(str(s.id) for s in tick)
    fields.update({name: [str(value)] for name, value in change.items()})
    return fields


def selected_names(html):
    """The students under Selected, in order."""
    block = re.search(r"<legend>Selected \(\d+\)</legend>(.*?)</fieldset>", html, re.S)
    return re.findall(r'<label for="selected-\d+">([^<]+)</label>', block.group(1)) if block else []


def test_ticks_survive_a_second_search_and_all_are_added(client, make_course, make_student):
    course = make_course(capacity=10)
    ada, alan = make_student(name="Team Ada"), make_student(name="Team Alan")
    grace = make_student(name="Grace Hopper")
    fields = add_form(client, course, f"/courses/{course.id}?q=team", tick=[ada, alan], q="grace")
    searched = client.post(f"/courses/{course.id}/selection", data=fields)
    assert searched.status_code == 303
    html = client.get(searched.headers["Location"]).get_data(as_text=True)
    assert selected_names(html) == ["Team Ada", "Team Alan"]
    assert 'id="student-%d" name="student_ids"' % grace.id in html  # the new search's result
    fields = add_form(client, course, searched.headers["Location"], tick=[grace])
    added = client.post(f"/courses/{course.id}/students", data=fields, follow_redirects=True)
    assert b"Added 3 students." in added.data
    assert roster_ids(course) == {ada.id, alan.id, grace.id}


def test_candidates_page_by_25_and_ticks_survive_paging(client, make_course, make_student):
    course = make_course()
    students = [make_student(name=f"Student {n:02d}") for n in range(30)]
    first = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Student 24" in first and "Student 25" not in first and "Page 1 of 2" in first
    fields = add_form(client, course, tick=[students[0]], page=2)
    paged = client.post(f"/courses/{course.id}/selection", data=fields)
    second = client.get(paged.headers["Location"]).get_data(as_text=True)
    assert "Student 29" in second and "Student 24" not in second and "Page 2 of 2" in second
    assert selected_names(second) == ["Student 00"]
    fields = add_form(client, course, paged.headers["Location"], tick=[students[29]])
    client.post(f"/courses/{course.id}/students", data=fields)
    assert roster_ids(course) == {students[0].id, students[29].id}


def test_a_selected_student_found_again_is_sent_once(client, make_course, make_student):
    course, ada = make_course(), make_student(name="Ada Lovelace")
    url = f"/courses/{course.id}?q=ada&student_ids={ada.id}"
    html = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert selected_names(html) == ["Ada Lovelace"]
    assert re.search(r'id="student-%d" checked disabled' % ada.id, html)  # shown, not sent
    assert add_form(client, course, url)["student_ids"] == [str(ada.id)]


def test_a_refused_bulk_add_comes_back_with_the_selection(client, make_course, make_student):
    course = make_course(code="MATH-101", capacity=1)
    ada, alan = make_student(name="Ada Lovelace"), make_student(name="Alan Turing")
    response = client.post(f"/courses/{course.id}/students",
                           data={"student_ids": [str(ada.id), str(alan.id)], "q": "a"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nobody was added" in html and 'name="q" value="a"' in html
    assert selected_names(html) == ["Ada Lovelace", "Alan Turing"]
    assert roster_ids(course) == set()


def test_selected_students_enrolled_or_deleted_since_drop_out(client, make_course,
                                                              make_student):
    course = make_course()
    ada, alan, gone = (make_student(name=n) for n in ["Ada Lovelace", "Alan Turing", "Gone"])
    StudentCourse.create(student=alan, course=course)
    gone.delete_instance()
    html = client.get(f"/courses/{course.id}?student_ids={ada.id}&student_ids={alan.id}"
                      f"&student_ids={gone.id}").get_data(as_text=True)
    assert selected_names(html) == ["Ada Lovelace"]


def test_the_selection_is_capped_and_says_so(client, make_course):
    course = make_course()
    Student.insert_many([{"name": f"S {n:03d}", "email": f"s{n}@example.edu"}
                         for n in range(SELECTION_LIMIT + 1)]).execute()
    ids = [s.id for s in Student.select().order_by(Student.name)]
    html = client.get(f"/courses/{course.id}", query_string={"student_ids": ids})
    html = html.get_data(as_text=True)
    assert f"Up to {SELECTION_LIMIT} students can be selected at a time" in html
    assert len(selected_names(html)) == SELECTION_LIMIT and "S 100" not in selected_names(html)


def test_a_non_numeric_selection_is_a_400(client, make_course):
    course = make_course()
    assert client.get(f"/courses/{course.id}?student_ids=x").status_code == 400


def test_read_only_staff_see_the_roster_without_write_controls(staff_client, make_course,
                                                                make_student):
    course, student = make_course(code="MATH-101"), make_student(name="Ada Lovelace")
    StudentCourse.create(student=student, course=course)
    html = staff_client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Ada Lovelace" in html and "Download roster (CSV)" in html
    assert "Remove Ada Lovelace" not in html and "Add students" not in html
    response = staff_client.post(f"/courses/{course.id}/students/{student.id}/remove")
    assert response.status_code == 403 and roster_ids(course) == {student.id}
