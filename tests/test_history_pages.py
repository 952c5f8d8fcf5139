"""History on the student and course pages; Undo; the history a toggle adds in place."""
import re

import pytest

from webapp.models import EnrollmentEvent, StudentCourse
from webapp.rules import enrollment

HTMX = {"HX-Request": "true"}


def toggle(client, student, course, ticked):
    data = {"course_ids": [str(course.id)]} if ticked else {}
    return client.post(f"/students/{student.id}/courses/{course.id}", data=data, headers=HTMX)


def test_a_new_student_page_says_there_is_no_history_yet(client, make_student):
    html = client.get(f"/students/{make_student().id}").get_data(as_text=True)
    assert "<h2 id=\"history-heading\">History</h2>" in html
    assert "No enrollment changes yet." in html
    assert '<ol id="history-list" class="history-list"></ol>' in html


def test_a_toggle_prepends_its_event_with_the_signed_in_name(client, make_student, make_course):
    student, course = make_student(name="Ada Lovelace"), make_course(code="MATH-101")
    enrolled = toggle(client, student, course, True).get_data(as_text=True)
    assert 'hx-swap-oob="afterbegin:#history-list"' in enrolled
    assert re.search(r"<strong>Rita Registrar</strong>\s*enrolled Ada Lovelace in MATH-101",
                     enrolled)
    removed = toggle(client, student, course, False).get_data(as_text=True)
    assert re.search(r"removed Ada Lovelace from MATH-101", removed)
    assert 'aria-label="Undo removal of Ada Lovelace from MATH-101"' in removed


def test_a_history_entry_says_names_as_written_escaped_and_never_read_as_wording(
        client, make_student, make_course):
    student = make_student(name="COURSE {course} <b>Bo</b>")
    course = make_course(code="STUDENT-1")

    html = toggle(client, student, course, True).get_data(as_text=True)

    assert re.search(r"enrolled COURSE \{course\} &lt;b&gt;Bo&lt;/b&gt; in STUDENT-1", html)
    assert "<b>Bo</b>" not in html


def test_student_page_lists_history_newest_first_with_undo_only_where_it_applies(
        client, make_student, make_course):
    student = make_student(name="Ada")
    math, art = make_course(code="MATH-101"), make_course(code="ART-1")
    for ticked, course in [(True, math), (True, art), (False, math), (False, art), (True, art)]:
        toggle(client, student, course, ticked)
    html = client.get(f"/students/{student.id}").get_data(as_text=True)
    entries = re.findall(r"(enrolled Ada in|removed Ada from) (\S+)", html)
    assert entries == [("enrolled Ada in", "ART-1"), ("removed Ada from", "ART-1"),
                       ("removed Ada from", "MATH-101"), ("enrolled Ada in", "ART-1"),
                       ("enrolled Ada in", "MATH-101")]
    # ART-1 is back already: only MATH-101's removal can be undone
    assert re.findall(r'aria-label="Undo removal of Ada from (\S+)"', html) == ["MATH-101"]


def test_undo_re_enrolls_and_records_it(client, make_student, make_course):
    student, course = make_student(name="Ada Lovelace"), make_course(code="MATH-101")
    toggle(client, student, course, True)
    toggle(client, student, course, False)
    removal = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll")
    response = client.post(f"/students/{student.id}/history/{removal.id}/undo")
    assert response.status_code == 303
    assert response.headers["Location"] == (f"/students/{student.id}?term=none"
                                            f"#course-row-{course.id}")
    assert StudentCourse.select().where(StudentCourse.student == student.id).count() == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enrolled Ada Lovelace in MATH-101 again." in page
    again = client.post(f"/students/{student.id}/history/{removal.id}/undo",
                        follow_redirects=True).get_data(as_text=True)
    assert "Ada Lovelace is already enrolled in MATH-101." in again
    assert EnrollmentEvent.select().count() == 3


def test_undo_into_a_course_that_filled_up_says_so_and_writes_nothing(client, make_student,
                                                                     make_course):
    student, course = make_student(), make_course(code="ART-1", capacity=1)
    toggle(client, student, course, True)
    toggle(client, student, course, False)
    enrollment.enroll(make_student().id, [course.id])
    removal = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll")
    response = client.post(f"/students/{student.id}/history/{removal.id}/undo",
                           follow_redirects=True)
    assert "Could not undo: ART-1 is full." in response.get_data(as_text=True)
    assert not StudentCourse.select().where(StudentCourse.student == student.id).exists()


def test_undo_of_something_that_is_not_an_unenrollment_is_refused(client, make_student,
                                                                 make_course):
    student, course = make_student(), make_course()
    toggle(client, student, course, True)
    event = EnrollmentEvent.get()
    response = client.post(f"/students/{student.id}/history/{event.id}/undo",
                           follow_redirects=True)
    assert "That history entry cannot be undone." in response.get_data(as_text=True)
    assert client.post(f"/students/999/history/{event.id}/undo").status_code == 404
    assert EnrollmentEvent.select().count() == 1


def test_staff_see_history_without_undo_and_cannot_undo(client, staff_client, make_student,
                                                       make_course):
    student, course = make_student(name="Ada"), make_course(code="MATH-101")
    toggle(client, student, course, True)
    toggle(client, student, course, False)
    html = staff_client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "removed Ada from MATH-101" in html and "Undo" not in html
    assert "Undo" not in staff_client.get(f"/courses/{course.id}").get_data(as_text=True)
    removal = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll")
    assert staff_client.post(f"/students/{student.id}/history/{removal.id}/undo").status_code == 403


def test_course_page_history_names_the_students(client, make_student, make_course):
    student, course = make_student(name="Ada Lovelace"), make_course()
    toggle(client, student, course, True)
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert re.search(r"<strong>Rita Registrar</strong>\s*enrolled Ada Lovelace in C-\d+", html)


def undo_forms(html):
    """(action, course_id posted or None, accessible name) of each Undo button."""
    return re.findall(r'<form method="post" class="undo-form" action="([^"]+)"[^>]*>\s*'
                      r'<input type="hidden" name="csrf_token" value="[^"]*">\s*'
                      r'(?:<input type="hidden" name="course_id" value="(\d+)">\s*)?'
                      r'<button type="submit" class="link-button" aria-label="([^"]+)">Undo',
                      html)


@pytest.mark.parametrize("action, words", [
    ("enroll", "Rita Registrar enrolled Ada Lovelace in PE-101"),
    ("unenroll", "Rita Registrar removed Ada Lovelace from PE-101"),
    ("promote", "Rita Registrar freed a seat and the waitlist enrolled Ada Lovelace in PE-101"),
    ("waitlist_add", "Rita Registrar added Ada Lovelace to the waitlist for PE-101"),
    ("waitlist_remove", "Rita Registrar took Ada Lovelace off the waitlist for PE-101"),
])
def test_history_says_who_did_what_to_whom_the_same_way_on_both_pages(
        client, registrar, make_student, make_course, action, words):
    ada, course = make_student(name="Ada Lovelace"), make_course(code="PE-101")
    EnrollmentEvent.create(student=ada, course=course, action=action, actor=registrar.id,
                           actor_name=registrar.name)
    for url in [f"/students/{ada.id}", f"/courses/{course.id}"]:
        html = client.get(url).get_data(as_text=True)
        assert words in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_course_page_history_offers_undo_of_each_students_latest_removal(
        client, make_student, make_course):
    course = make_course(code="PE-101")
    ada, alan = make_student(name="Ada"), make_student(name="Alan")
    for student, ticked in [(ada, True), (alan, True), (ada, False), (alan, False),
                            (alan, True)]:
        toggle(client, student, course, ticked)
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    removal = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll",
                                  EnrollmentEvent.student == ada.id)
    assert undo_forms(html) == [(f"/students/{ada.id}/history/{removal.id}/undo",
                                 str(course.id), "Undo removal of Ada from PE-101")]
    assert 'hx-target="#main" hx-select="#main"' in html  # in place with htmx


def test_undo_from_the_course_page_comes_back_to_it(client, make_student, make_course):
    ada, course = make_student(name="Ada Lovelace"), make_course(code="PE-101")
    toggle(client, ada, course, True)
    toggle(client, ada, course, False)
    removal = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll")
    response = client.post(f"/students/{ada.id}/history/{removal.id}/undo",
                           data={"course_id": str(course.id)})
    assert response.headers["Location"] == f"/courses/{course.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enrolled Ada Lovelace in PE-101 again." in page
    assert StudentCourse.select().where(StudentCourse.student == ada.id).count() == 1


def test_the_removed_message_after_a_roster_removal_offers_undo(client, make_student,
                                                                make_course):
    ada, course = make_student(name="Ada Lovelace"), make_course(code="PE-101")
    StudentCourse.create(student=ada, course=course)
    page = client.post(f"/courses/{course.id}/students/{ada.id}/remove",
                       follow_redirects=True).get_data(as_text=True)
    message = re.search(r'<li class="flash flash-success">(.*?)</li>', page, re.DOTALL)[1]
    assert message.startswith("Removed Ada Lovelace from PE-101. <form")
    removal = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll")
    ((action, course_id, label),) = undo_forms(message)
    assert action == f"/students/{ada.id}/history/{removal.id}/undo"
    assert label == "Undo removal of Ada Lovelace from PE-101"
    page = client.post(action, data={"course_id": course_id},
                       follow_redirects=True).get_data(as_text=True)
    assert "Enrolled Ada Lovelace in PE-101 again." in page
    assert StudentCourse.select().where(StudentCourse.student == ada.id).count() == 1


def test_the_removed_message_escapes_the_students_name(client, make_student, make_course):
    student, course = make_student(name="<b>Bold</b>"), make_course(code="PE-101")
    StudentCourse.create(student=student, course=course)
    page = client.post(f"/courses/{course.id}/students/{student.id}/remove",
                       follow_redirects=True).get_data(as_text=True)
    assert "Removed &lt;b&gt;Bold&lt;/b&gt; from PE-101." in page and "<b>Bold" not in page


def test_undo_comes_back_to_the_row_it_changed_in_the_courses_term(client, make_student,
                                                                    make_course, make_term):
    fall = make_term("FALL", "2026-09-01", "2026-12-18")
    student, course = make_student(), make_course(code="MATH-101", term=fall)
    toggle(client, student, course, True)
    toggle(client, student, course, False)
    removal = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll")
    location = client.post(f"/students/{student.id}/history/{removal.id}/undo"
                           ).headers["Location"]
    assert location == f"/students/{student.id}?term={fall.id}#course-row-{course.id}"
    page = client.get(location).get_data(as_text=True)
    assert f'id="course-row-{course.id}"' in page and f"Enrolled {student.name} in MATH-101 again." in page
