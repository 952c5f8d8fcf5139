"""Student pages: list/search, the checklist (htmx toggles and the no-JS form), forms."""
import re
import time

import pytest
from playhouse.test_utils import assert_query_count

from tests.conftest import sign_in
from tests.html_forms import form_fields
from webapp import create_app
from webapp.models import Course, Student, StudentCourse
from webapp.rules.checklist import SHOWN_COURSES

HTMX = {"HX-Request": "true"}


def enrolled(student, course):
    return StudentCourse.select().where(StudentCourse.student == student.id,
                                        StudentCourse.course == course.id).exists()


def test_student_list_shows_each_student_with_course_count(client, make_student, make_course):
    ada = make_student(name="Ada Lovelace", email="ada@example.edu", student_number="S-1")
    make_student(name="Alan Turing")
    StudentCourse.create(student=ada, course=make_course())
    html = client.get("/students/").get_data(as_text=True)
    assert "Ada Lovelace" in html and "ada@example.edu" in html and "S-1" in html
    assert re.search(r"Ada Lovelace</a></td>.*?<td class=\"num\">1</td>", html, re.S)


@pytest.mark.parametrize("q", ["lovel", "ADA@EXAMPLE", "S-77"])
def test_search_matches_name_email_or_number(client, make_student, q):
    make_student(name="Ada Lovelace", email="ada@example.edu", student_number="S-77")
    make_student(name="Alan Turing", email="alan@example.edu")
    html = client.get("/students/", query_string={"q": q}).get_data(as_text=True)
    assert "Ada Lovelace" in html and "Alan Turing" not in html


def test_search_without_match_shows_empty_state(client, make_student):
    make_student(name="Ada Lovelace")
    html = client.get("/students/?q=zzz").get_data(as_text=True)
    assert "No student matches “zzz”" in html


def test_student_list_pages_by_50(client, make_student):
    for n in range(55):
        make_student(name=f"Student {n:03d}")
    first = client.get("/students/").get_data(as_text=True)
    second = client.get("/students/?page=2").get_data(as_text=True)
    assert "Student 049" in first and "Student 050" not in first and "Page 1 of 2" in first
    assert "Student 050" in second and "Student 054" in second and "Student 000" not in second
    beyond = client.get("/students/?page=9").get_data(as_text=True)
    assert "Page 2 of 2" in beyond and "Student 054" in beyond


def test_student_list_costs_three_queries_whatever_the_page_size(client, make_student,
                                                                 make_course):
    course = make_course()
    for _ in range(60):
        StudentCourse.create(student=make_student(), course=course)
    # the signed-in session, then the count and the page (course counts included)
    with assert_query_count(3):
        response = client.get("/students/")
    assert response.get_data(as_text=True).count('<td class="num">1</td>') == 50


def test_student_page_lists_every_course_checked_when_enrolled(client, make_student, make_course):
    student = make_student()
    math = make_course(code="MATH-101", title="Algebra", capacity=30)
    make_course(code="ART-1", title="Drawing")
    full = make_course(code="BIO-1", title="Cells", capacity=1)
    StudentCourse.create(student=student, course=math)
    StudentCourse.create(student=make_student(), course=full)
    html = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "MATH-101 — Algebra" in html and "ART-1 — Drawing" in html
    assert re.search(r'id="course-%d"[^>]*checked' % math.id, html)
    assert "29 of 30 seats left" in html and "Full" in html
    assert re.search(r'id="course-%d"[^>]*disabled' % full.id, html)
    assert "Enrolled in 1 course." in html


def test_student_page_with_200_courses_costs_six_queries(client, make_student, make_course):
    student = make_student()
    courses = [make_course(capacity=50) for _ in range(200)]
    for course in courses[:20]:
        StudentCourse.create(student=student, course=course)
    with assert_query_count(6):  # session, student, terms, checklist, timetable, history
        response = client.get(f"/students/{student.id}")
    assert response.status_code == 200
    assert "Enrolled in 20 courses." in response.get_data(as_text=True)


def listed_ids(html):
    """The courses the checklist shows, in order (one checkbox each)."""
    return [int(i) for i in re.findall(r'id="course-(\d+)" name="course_ids"', html)]


def make_catalogue(count):
    """`count` courses C-0000, C-0001, ... (one statement: fast even for thousands)."""
    Course.insert_many([{"code": f"C-{n:04d}", "title": f"Course {n}", "capacity": 50}
                        for n in range(count)]).execute()
    return {c.code: c for c in Course.select()}


def test_large_catalogue_shows_the_students_courses_and_the_first_ones_by_code(
        client, make_student):
    student = make_student()
    courses = make_catalogue(2000)
    mine = [courses["C-0003"], courses["C-1999"]]  # one among the first, one far beyond
    for course in mine:
        StudentCourse.create(student=student, course=course)
    with assert_query_count(6):  # session, student, terms, checklist, timetable, history
        response = client.get(f"/students/{student.id}")
    html = response.get_data(as_text=True)
    shown = listed_ids(html)
    first = [courses[f"C-{n:04d}"].id for n in range(SHOWN_COURSES)]
    assert shown == first + [courses["C-1999"].id]
    assert f"Showing {SHOWN_COURSES + 1} of 2,000 courses. Filter to find others." in html
    assert re.search(r'id="course-%d"[^>]*checked' % courses["C-1999"].id, html)
    assert "Enrolled in 2 courses." in html


def test_small_catalogue_shows_every_course_without_a_note(client, make_student, make_course):
    student = make_student()
    make_course(code="ART-1")
    make_course(code="MATH-101")
    html = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert len(listed_ids(html)) == 2 and "Showing" not in html


@pytest.mark.parametrize("q, codes", [
    ("alg", ["MATH-101", "MATH-201"]),   # title, any case; MATH-201 matches as one of mine
    ("MATH-2", ["MATH-201"]),            # code
    ("%", []),                           # LIKE wildcards are plain characters
])
def test_filter_narrows_the_checklist_on_the_server(client, make_student, make_course, q,
                                                    codes):
    student = make_student()
    make_course(code="ART-1", title="Drawing")
    make_course(code="MATH-101", title="Algebra")
    mine = make_course(code="MATH-201", title="Linear Algebra")
    other = make_course(code="BIO-1", title="Cells")
    for course in (mine, other):
        StudentCourse.create(student=student, course=course)
    html = client.get(f"/students/{student.id}", query_string={"q": q}).get_data(as_text=True)
    assert re.findall(r"<label for=\"course-\d+\">([A-Z0-9-]+) —", html) == codes
    assert f'name="q" value="{q}"' in html
    assert "Enrolled in 2 courses." in html  # the count is all their courses, not the shown


def test_filter_reaches_courses_beyond_the_first_ones_in_six_queries(client, make_student):
    student = make_student()
    courses = make_catalogue(SHOWN_COURSES + 50)
    far = courses[f"C-{SHOWN_COURSES + 42:04d}"]
    assert far.id not in listed_ids(client.get(f"/students/{student.id}").get_data(as_text=True))
    with assert_query_count(6):
        html = client.get(f"/students/{student.id}?q={far.code.lower()}").get_data(as_text=True)
    assert listed_ids(html) == [far.id] and "Showing" not in html


def test_filter_without_a_match_says_so_and_keeps_the_box(client, make_student, make_course):
    student = make_student()
    make_course(code="ART-1")
    html = client.get(f"/students/{student.id}?q=zzz").get_data(as_text=True)
    assert "No course matches “zzz”." in html and 'id="course-filter"' in html
    assert "There are no courses yet" not in html


def test_saving_a_filtered_list_changes_only_its_rows_and_keeps_the_filter(
        client, make_student, make_course):
    student = make_student()
    hidden = make_course(code="ART-1", title="Drawing")
    shown = make_course(code="MATH-101", title="Algebra")
    StudentCourse.create(student=student, course=hidden)
    page = client.get(f"/students/{student.id}?q=alg").get_data(as_text=True)
    assert listed_ids(page) == [shown.id] and 'name="q" value="alg"' in page
    response = client.post(f"/students/{student.id}/courses", data={
        "course_ids": [str(shown.id)], "q": "alg"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/students/{student.id}?q=alg")
    assert enrolled(student, shown) and enrolled(student, hidden)


def test_toggle_answers_the_same_row_the_page_shows(client, make_student, make_course):
    student = make_student()
    course = make_course(code="MATH-101", title="Algebra", capacity=30)
    answer = client.post(f"/students/{student.id}/courses/{course.id}",
                         data={"course_ids": [str(course.id)]}, headers=HTMX)
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    row = re.compile(r'<li id="course-row-%d".*?</li>' % course.id, re.S)
    assert row.search(answer.get_data(as_text=True)).group(0) == row.search(page).group(0)
    assert 'hx-post="/students/%d/courses/%d"' % (student.id, course.id) in page


def test_course_code_and_title_are_escaped_in_the_row(client, make_student, make_course):
    student = make_student()
    make_course(code="X-1", title='<b>"Art" & Craft</b>')
    html = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "&lt;b&gt;&#34;Art&#34; &amp; Craft&lt;/b&gt;" in html and "<b>" not in html


def test_unknown_student_is_a_404_page_in_the_layout(client):
    for url in ["/students/999", "/students/999/edit"]:
        response = client.get(url)
        assert response.status_code == 404
        assert b'<nav aria-label="Main">' in response.data


def test_ticking_a_course_enrolls_and_answers_row_count_and_message(client, make_student,
                                                                     make_course):
    student = make_student()
    course = make_course(code="MATH-101", capacity=30)
    response = client.post(f"/students/{student.id}/courses/{course.id}",
                           data={"course_ids": [str(course.id)]}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert enrolled(student, course)
    assert re.search(r'<li id="course-row-%d".*checked' % course.id, html, re.S)
    assert "29 of 30 seats left" in html
    assert 'id="course-count" hx-swap-oob="true">Enrolled in 1 course.' in html
    assert re.search(r'id="live-status" hx-swap-oob="innerHTML">Enrolled in MATH-101<', html)


def test_unticking_removes_the_enrollment(client, make_student, make_course):
    student, course = make_student(), make_course(code="MATH-101")
    StudentCourse.create(student=student, course=course)
    html = client.post(f"/students/{student.id}/courses/{course.id}", data={},
                       headers=HTMX).get_data(as_text=True)
    assert not enrolled(student, course)
    assert "Removed from MATH-101" in html and "Enrolled in 0 courses." in html


def test_toggle_costs_five_queries(client, make_student, make_course):
    student, course = make_student(), make_course(capacity=5)
    # session; lock course; student, current row and course count; insert; history event
    with assert_query_count(5):
        client.post(f"/students/{student.id}/courses/{course.id}",
                    data={"course_ids": [str(course.id)]}, headers=HTMX)
    assert enrolled(student, course)


def test_ticking_a_course_that_filled_up_says_full_and_writes_nothing(client, make_student,
                                                                      make_course):
    student, course = make_student(), make_course(code="BIO-1", capacity=1)
    StudentCourse.create(student=make_student(), course=course)
    response = client.post(f"/students/{student.id}/courses/{course.id}",
                           data={"course_ids": [str(course.id)]}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "<html" not in html
    assert "Course is full" in html and not enrolled(student, course)
    row = re.search(r'<input type="checkbox" id="course-%d"[^>]*>' % course.id, html).group(0)
    assert "checked" not in row and "disabled" in row


@pytest.mark.parametrize("url, message", [
    ("/students/999/courses/{course}", "This student no longer exists."),
    ("/students/{student}/courses/999", "This course no longer exists.")])
def test_toggle_for_deleted_student_or_course_is_a_404_row(client, make_student, make_course,
                                                           url, message):
    student, course = make_student(), make_course()
    response = client.post(url.format(student=student.id, course=course.id),
                           data={"course_ids": ["999", str(course.id)]}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "<html" not in html
    assert html.count(message) == 2  # in the row and in the live region
    assert StudentCourse.select().count() == 0


def test_saving_the_whole_selection_without_js_adds_and_removes(client, make_student,
                                                                make_course):
    student = make_student()
    keep, drop, add, untouched = (make_course(code=c) for c in ["A-1", "B-1", "C-1", "D-1"])
    for course in (keep, drop):
        StudentCourse.create(student=student, course=course)
    response = client.post(f"/students/{student.id}/courses", data={
        "was_enrolled": [str(keep.id), str(drop.id)],  # as the page showed them
        "course_ids": [str(keep.id), str(add.id)]}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.request.path == f"/students/{student.id}"
    assert "Enrolled in C-1" in html and "Removed from B-1" in html
    assert [c.code for c in Student.get_by_id(student.id).courses] == ["A-1", "C-1"]
    assert not enrolled(student, untouched)


def test_saving_a_selection_with_a_full_course_changes_nothing(client, make_student,
                                                               make_course):
    student = make_student()
    free, full = make_course(code="A-1"), make_course(code="F-1", capacity=1)
    StudentCourse.create(student=make_student(), course=full)
    html = client.post(f"/students/{student.id}/courses", data={
        "course_ids": [str(free.id), str(full.id)]},
        follow_redirects=True).get_data(as_text=True)
    assert "Course is full: F-1" in html
    assert not enrolled(student, free) and not enrolled(student, full)


def test_saving_a_selection_with_a_deleted_course_changes_nothing(client, make_student,
                                                                  make_course):
    student, course = make_student(), make_course()
    html = client.post(f"/students/{student.id}/courses", data={
        "course_ids": [str(course.id), "999"]},
        follow_redirects=True).get_data(as_text=True)
    assert "no longer exist" in html and not enrolled(student, course)


def save_from_stale_page(client, student, page, tick=(), untick=()):
    """Submit the no-JS checklist form of `page` (HTML drawn earlier) after ticking and
    unticking the given courses there, as the browser would."""
    url = f"/students/{student.id}/courses"
    fields = form_fields(page, url)
    ticked = [cid for cid in fields.pop("course_ids", [])
              if int(cid) not in {c.id for c in untick}]
    fields["course_ids"] = ticked + [str(c.id) for c in tick]
    return client.post(url, data=fields, follow_redirects=True)


def test_a_stale_page_saved_without_js_keeps_a_course_ticked_elsewhere(client, make_student,
                                                                       make_course):
    student = make_student()
    math, art = make_course(code="MATH-101"), make_course(code="ART-1")
    stale = client.get(f"/students/{student.id}").get_data(as_text=True)
    client.post(f"/students/{student.id}/courses/{math.id}",  # another tab ticks MATH-101
                data={"course_ids": [str(math.id)]}, headers=HTMX)
    html = save_from_stale_page(client, student, stale, tick=[art]).get_data(as_text=True)
    assert enrolled(student, math) and enrolled(student, art)
    assert "Enrolled in ART-1" in html and "Removed from" not in html


def test_a_stale_page_saved_without_js_does_not_bring_back_a_course_unticked_elsewhere(
        client, make_student, make_course):
    student = make_student()
    math, art = make_course(code="MATH-101"), make_course(code="ART-1")
    StudentCourse.create(student=student, course=math)
    stale = client.get(f"/students/{student.id}").get_data(as_text=True)
    client.post(f"/students/{student.id}/courses/{math.id}", data={}, headers=HTMX)
    save_from_stale_page(client, student, stale, tick=[art])
    assert not enrolled(student, math) and enrolled(student, art)


def test_saving_without_js_applies_what_the_user_changed_on_the_page(client, make_student,
                                                                     make_course):
    student = make_student()
    keep, drop, add = (make_course(code=c) for c in ["A-1", "B-1", "C-1"])
    for course in (keep, drop):
        StudentCourse.create(student=student, course=course)
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    html = save_from_stale_page(client, student, page, tick=[add],
                                untick=[drop]).get_data(as_text=True)
    assert "Enrolled in C-1" in html and "Removed from B-1" in html
    assert [c.code for c in Student.get_by_id(student.id).courses] == ["A-1", "C-1"]
    unchanged = save_from_stale_page(client, student, html).get_data(as_text=True)
    assert "No changes." in unchanged


def test_non_numeric_course_ids_are_a_400(client, make_student):
    student = make_student()
    response = client.post(f"/students/{student.id}/courses", data={"course_ids": ["x"]})
    assert response.status_code == 400


def test_creating_a_student_redirects_to_their_page(client):
    response = client.post("/students/new", data={"name": "Grace Hopper",
                                                  "email": "Grace@Example.edu"})
    student = Student.get(Student.email == "grace@example.edu")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/students/{student.id}")


def test_a_student_without_email_is_created_and_shown_sensibly(client):
    response = client.post("/students/new", data={"name": "Little Pupil", "email": ""})
    student = Student.get(Student.name == "Little Pupil")
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    listing = client.get("/students/").get_data(as_text=True)
    assert response.status_code == 303 and student.email is None
    assert "None (no mail is sent)" in page and "No email" in listing


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "email": "x@example.edu"}, "name", "This field is required."),
    ({"name": "X", "email": "nope"}, "email", "Enter a valid email address"),
    ({"name": "X", "email": "taken@example.edu"}, "email", "already has this email"),
])
def test_invalid_student_form_shows_message_next_to_the_field(client, make_student, data,
                                                              field, message):
    make_student(email="taken@example.edu")
    response = client.post("/students/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'id="%s-error">[^<]*%s' % (field, re.escape(message)), html)
    assert Student.select().count() == 1


def test_editing_a_student_saves_the_change(client, make_student):
    student = make_student(name="Old Name")
    client.post(f"/students/{student.id}/edit", data={"name": "New Name",
                                                      "email": student.email})
    assert Student.get_by_id(student.id).name == "New Name"
    form = client.get(f"/students/{student.id}/edit").get_data(as_text=True)
    assert 'value="New Name"' in form


@pytest.fixture
def csrf_client(database_url, registrar):
    """A signed-in registrar's client on an app that checks CSRF tokens."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                      "WTF_CSRF_ENABLED": True})
    return sign_in(app.test_client(), registrar)


def test_post_without_csrf_token_is_refused(csrf_client):
    client = csrf_client
    response = client.post("/students/new", data={"name": "X", "email": "x@example.edu"})
    assert response.status_code == 400
    assert Student.select().where(Student.email == "x@example.edu").count() == 0


def test_htmx_post_with_csrf_header_is_accepted(csrf_client, make_student, make_course):
    client = csrf_client
    student, course = make_student(), make_course()
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(f"/students/{student.id}/courses/{course.id}",
                           data={"course_ids": [str(course.id)]},
                           headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 200 and enrolled(student, course)


def test_a_page_left_open_for_hours_can_still_tick(csrf_client, make_student, make_course,
                                                   monkeypatch):
    """The CSRF token lasts as long as the sign-in (sign-in and sign-out renew it), not an
    hour: a tick after lunch is a tick, not a 400 "The CSRF token has expired"."""
    student, course = make_student(), make_course()
    page = csrf_client.get(f"/students/{student.id}").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    later = time.time() + 3 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    response = csrf_client.post(f"/students/{student.id}/courses/{course.id}",
                                data={"course_ids": [str(course.id)]},
                                headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 200 and enrolled(student, course)


def test_read_only_staff_see_the_checklist_without_write_controls(staff_client, make_student,
                                                                   make_course):
    student, course = make_student(), make_course(code="MATH-101")
    html = staff_client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "MATH-101" in html
    assert re.search(r'id="course-%d"[^>]*disabled' % course.id, html)
    assert "Save enrollments" not in html and ">Edit<" not in html
    assert "New student" not in staff_client.get("/students/").get_data(as_text=True)
    response = staff_client.post(f"/students/{student.id}/courses/{course.id}",
                                 data={"course_ids": [str(course.id)]}, headers=HTMX)
    assert response.status_code == 403 and not enrolled(student, course)
