"""Course pages for terms, meeting times and prerequisites: the form (rows added and
removed with or without JS), the course page in words, the list filtered by term."""
import re

import pytest

from webapp.models import Course, StudentCourse
from webapp.rules.conflicts import Override
from webapp.rules.enrollment import enroll
from webapp.rules.prerequisites import groups_of
from webapp.rules.schedule import meetings_of

HTMX = {"HX-Request": "true"}


def course_form(**fields):
    """Form data for the course form: `meetings` as a list of row dicts."""
    data = {"code": "MATH-201", "title": "Calculus", "capacity": "30", "term_id": "",
            "prerequisites": ""}
    for index, row in enumerate(fields.pop("meetings", [])):
        for key, value in row.items():
            data[f"meetings-{index}-{key}"] = value
    return {**data, **fields}


@pytest.fixture
def fall(make_term):
    return make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")


def test_a_course_is_created_with_term_meetings_and_prerequisites(client, fall):
    response = client.post("/courses/new", data=course_form(
        term_id=str(fall.id), prerequisites="math-101 or MATH-100; PHY-101",
        meetings=[{"days": ["mon", "wed"], "start": "09:00", "end": "10:30", "room": "B12"},
                  {"days": [], "start": "", "end": "", "room": ""},       # blank: ignored
                  {"days": ["fri"], "start": "13:00", "end": "14:00", "room": ""}]))
    assert response.status_code == 303
    course = Course.get()
    assert course.term_id == fall.id
    assert [m.text for m in meetings_of([course.id])[course.id]] == [
        "Mon, Wed 09:00–10:30, room B12", "Fri 13:00–14:00"]
    assert groups_of([course.id])[course.id] == [["MATH-100", "math-101"], ["PHY-101"]]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fall 2026 (1 Sep 2026 – 18 Dec 2026)" in page
    assert "Mon, Wed 09:00–10:30, room B12<br>Fri 13:00–14:00" in page
    assert "MATH-100 or math-101, and PHY-101" in page


def test_the_form_has_day_checkboxes_time_inputs_and_a_term_choice(client, fall):
    html = client.get("/courses/new").get_data(as_text=True)
    assert len(re.findall(r'type="checkbox" id="meetings-0-days-\w+"', html)) == 7
    assert '<label for="meetings-0-days-mon">Mon</label>' in html
    assert re.search(r'<input id="meetings-0-start" name="meetings-0-start" type="time"', html)
    assert re.search(r'<option value="%d">Fall 2026 \(FALL\)</option>' % fall.id, html)
    assert 'hx-target="#meeting-rows"' in html


def test_a_new_course_from_a_terms_list_starts_in_that_term(client, fall):
    html = client.get(f"/courses/new?term={fall.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="%d">' % fall.id, html)


def test_add_a_meeting_shows_one_more_row_and_saves_nothing(client):
    data = course_form(rows="add", meetings=[{"days": ["tue"], "start": "08:00",
                                              "end": "09:00", "room": "A1"}])
    response = client.post("/courses/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and Course.select().count() == 0
    assert "Meeting 2" in html and 'id="meetings-1-start"' in html
    assert re.search(r'id="meetings-0-days-tue" name="meetings-0-days" value="tue" checked', html)
    assert 'value="A1"' in html


def test_remove_a_meeting_keeps_the_others(client):
    data = course_form(rows="remove-0", meetings=[
        {"days": ["tue"], "start": "08:00", "end": "09:00", "room": "A1"},
        {"days": ["thu"], "start": "10:00", "end": "11:00", "room": "B2"}])
    html = client.post("/courses/new", data=data, headers=HTMX).get_data(as_text=True)
    assert "Meeting 2" not in html and 'value="B2"' in html and 'value="A1"' not in html
    assert re.search(r'id="meetings-0-days-thu" name="meetings-0-days" value="thu" checked', html)
    assert Course.select().count() == 0


def test_removing_the_only_meeting_leaves_an_empty_row(client):
    data = course_form(rows="remove-0", meetings=[{"days": ["tue"], "start": "08:00",
                                                   "end": "09:00", "room": "A1"}])
    html = client.post("/courses/new", data=data).get_data(as_text=True)
    assert "Meeting 1" in html and 'value="A1"' not in html


def test_a_bad_meeting_is_reported_on_its_own_row(client):
    html = client.post("/courses/new", data=course_form(meetings=[
        {"days": [], "start": "", "end": "", "room": ""},                        # ignored
        {"days": ["mon"], "start": "10:00", "end": "09:00", "room": ""},
        {"days": [], "start": "11:00", "end": "12:00", "room": ""}])).get_data(as_text=True)
    assert re.search(r'id="meetings-1-end-error">Must be after the start \(10:00\)\.', html)
    assert re.search(r'id="meetings-2-days-error">Choose at least one day\.', html)
    assert Course.select().count() == 0


@pytest.mark.parametrize("text, message", [
    ("M" * 65, f"Not a course code: {'M' * 65}."),            # codes: up to 64 characters
    ("MATH-101 or \x07", "Not a course code: \x07."),      # no control characters
])
def test_bad_prerequisites_are_explained(client, text, message):
    html = client.post("/courses/new", data=course_form(prerequisites=text)).get_data(
        as_text=True)
    assert re.search(r'id="prerequisites-error">%s' % re.escape(message), html)
    assert Course.select().count() == 0


def test_the_prerequisites_box_is_read_back_in_words(client, make_course):
    course = make_course(code="MATH-201", prerequisites=[["MATH-101", "MATH-100"],
                                                         ["PHY-101"]],
                         meetings=["mon wed 09:00-10:30 B12"])
    html = client.get(f"/courses/{course.id}/edit").get_data(as_text=True)
    assert 'value="MATH-100 or MATH-101; PHY-101"' in html
    assert "Needs MATH-100 or MATH-101, and PHY-101." in html
    assert 'value="09:00"' in html and 'value="10:30"' in html and 'value="B12"' in html
    assert re.search(r'value="wed" checked', html)


def test_editing_keeps_an_over_capacity_course_saveable(client, make_course, make_student):
    course = make_course(code="ART-1", title="Art", capacity=1)
    enroll(make_student().id, [course.id])
    enroll(make_student().id, [course.id], override=Override("ok", over_capacity=True))
    response = client.post(f"/courses/{course.id}/edit",
                           data=course_form(code="ART-1", title="Art II", capacity="1"))
    assert response.status_code == 303 and Course.get_by_id(course.id).title == "Art II"


def test_the_course_list_filters_by_term(client, fall, make_course):
    make_course(code="ART-1", term=fall)
    make_course(code="BIO-1")
    every = client.get("/courses/").get_data(as_text=True)
    in_fall = client.get(f"/courses/?term={fall.id}").get_data(as_text=True)
    no_term = client.get("/courses/?term=none").get_data(as_text=True)
    assert "ART-1" in every and "BIO-1" in every
    assert "ART-1" in in_fall and "BIO-1" not in in_fall
    assert "BIO-1" in no_term and "ART-1" not in no_term
    assert re.search(r'<option value="%d" selected>Fall 2026</option>' % fall.id, in_fall)
    assert re.search(r'<td class="nowrap">FALL</td>', every)
    assert client.get("/courses/?term=999").status_code == 404
    assert "No course matches “zzz” in that term." in \
        client.get("/courses/?term=none&q=zzz").get_data(as_text=True)


def test_the_list_pages_keep_the_term(client, fall, make_course):
    for n in range(55):
        make_course(code=f"C-{n:02d}", term=fall)
    html = client.get(f"/courses/?term={fall.id}").get_data(as_text=True)
    assert f"/courses/?page=2&amp;term={fall.id}" in html


def test_bulk_add_names_each_student_who_would_clash(client, make_course, make_student):
    busy, free = make_student(name="Ada Lovelace"), make_student(name="Alan Turing")
    StudentCourse.create(student=busy, course=make_course(code="PHY-1",
                                                          meetings=["mon 09:00-10:00"]))
    course = make_course(code="MATH-1", meetings=["mon 09:30-10:30"])
    client.post(f"/courses/{course.id}/students", data={"student_ids": [busy.id, free.id]})
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Nobody was added: Ada Lovelace (Clashes with PHY-1, Mon 09:30–10:00)." in html
    assert StudentCourse.select().where(StudentCourse.course == course.id).count() == 0


def test_an_unknown_rows_action_is_an_ordinary_save(client):
    response = client.post("/courses/new", data=course_form(rows="sideways"))
    assert response.status_code == 303 and Course.select().count() == 1
