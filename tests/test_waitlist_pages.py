"""Waitlists on the pages: checklist rows (htmx and without JS), the course page's queue,
and promotions announced to whoever freed the seat."""
import re

import pytest
from playhouse.test_utils import assert_query_count

from webapp.models import Course, EnrollmentEvent, StudentCourse, WaitlistEntry
from webapp.pages.checklist_rows import ordinal
from webapp.rules import enrollment, waitlist
from webapp.rules.conflicts import MissingPrerequisite, ScheduleClash
from webapp.rules.checklist import SHOWN_COURSES

HTMX = {"HX-Request": "true"}


def row_of(html, course):
    return re.search(r'<li id="course-row-%d".*?</li>' % course.id, html, re.S).group(0)


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def queue_of(course):
    return [entry.student_id for entry in waitlist.waiting_students(course.id)]


def enrolled(student_id, course):
    return StudentCourse.select().where(StudentCourse.student == student_id,
                                        StudentCourse.course == course.id).exists()


@pytest.mark.parametrize("number, text", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"),
                                          (11, "11th"), (12, "12th"), (13, "13th"),
                                          (21, "21st"), (22, "22nd"), (101, "101st"),
                                          (111, "111th")])
def test_ordinals(number, text):
    assert ordinal(number) == text


# The checklist row ---------------------------------------------------------------------

def test_a_full_course_row_says_how_many_wait_and_offers_to_join(client, full_course,
                                                                 make_student):
    course, _, _ = full_course(capacity=2, waiting=3, code="MATH-101")
    student = make_student()
    row = row_of(client.get(f"/students/{student.id}").get_data(as_text=True), course)
    assert "Full · 3 waiting" in row
    assert re.search(r'<input type="checkbox"[^>]*disabled', row)
    url = f"/students/{student.id}/courses/{course.id}/waitlist"
    assert f'formaction="{url}"' in row and f'hx-post="{url}"' in row
    assert 'hx-target="#course-row-%d"' % course.id in row
    assert text_of(row).endswith("Join waitlist for MATH-101")  # "for …" visually hidden


def test_a_full_course_nobody_waits_for_just_says_full(client, full_course, make_student):
    course, _, _ = full_course(capacity=1, waiting=0)
    row = row_of(client.get(f"/students/{make_student().id}").get_data(as_text=True), course)
    assert ">Full</span>" in row and "Join waitlist" in row


def test_a_waiting_students_row_gives_their_place_and_leave(client, full_course):
    course, _, queue = full_course(capacity=2, waiting=3, code="MATH-101")
    row = row_of(client.get(f"/students/{queue[1]}").get_data(as_text=True), course)
    assert "Waitlisted — 2nd of 3" in row and "Join waitlist" not in row
    assert f'formaction="/students/{queue[1]}/courses/{course.id}/waitlist/leave"' in row
    assert "Leave the waitlist for MATH-101" in text_of(row)


def test_an_enrolled_students_row_has_no_waitlist_controls(client, full_course):
    course, enrolled_ids, _ = full_course(capacity=2, waiting=3)
    row = row_of(client.get(f"/students/{enrolled_ids[0]}").get_data(as_text=True), course)
    assert "checked" in row and ">Full</span>" in row
    assert "waitlist" not in row and "waiting" not in row


def test_read_only_staff_see_the_waitlist_text_without_buttons(staff_client, full_course):
    course, _, queue = full_course(capacity=1, waiting=2)
    row = row_of(staff_client.get(f"/students/{queue[0]}").get_data(as_text=True), course)
    assert "Waitlisted — 1st of 2" in row and "<button" not in row
    response = staff_client.post(f"/students/{queue[0]}/courses/{course.id}/waitlist/leave",
                                 headers=HTMX)
    assert response.status_code == 403 and queue_of(course) == queue


def test_a_course_waited_for_beyond_the_first_ones_is_listed(client, make_student):
    Course.insert_many([{"code": f"C-{n:04d}", "title": f"Course {n}", "capacity": 1}
                        for n in range(SHOWN_COURSES + 20)]).execute()
    far = Course.get(Course.code == f"C-{SHOWN_COURSES + 10:04d}")
    StudentCourse.create(student=make_student(), course=far)
    student = make_student()
    waitlist.join(far.id, student.id)
    html = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Waitlisted — 1st of 1" in row_of(html, far)


def test_the_student_page_still_costs_six_queries_with_waitlists(client, full_course,
                                                                 make_student):
    student = make_student()
    for n in range(20):
        course, _, _ = full_course(capacity=1, waiting=2, code=f"W-{n:02d}")
        if n % 2:
            waitlist.join(course.id, student.id)
    # session, student, terms, checklist (waitlists included), timetable, history
    with assert_query_count(6):
        html = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert html.count("Waitlisted — 3rd of 3") == 10 and html.count("Full · 2 waiting") == 10


# Joining and leaving from the checklist ---------------------------------------------------

def test_joining_with_htmx_answers_the_row_the_message_and_the_history(client, full_course,
                                                                      make_student):
    course, _, queue = full_course(capacity=1, waiting=2, code="MATH-101")
    student = make_student()

    response = client.post(f"/students/{student.id}/courses/{course.id}/waitlist",
                           headers=HTMX)

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert queue_of(course) == queue + [student.id]
    assert "Waitlisted — 3rd of 3" in row_of(html, course)
    assert re.search(r'id="live-status" hx-swap-oob="innerHTML">Waitlisted for MATH-101: '
                     r'3rd in line<', html)
    assert re.search(r"added \S+ \d+ to the waitlist for MATH-101", html)
    # the same row the page shows
    assert row_of(html, course) == row_of(
        client.get(f"/students/{student.id}").get_data(as_text=True), course)


def test_leaving_with_htmx_answers_the_row_again_with_join(client, full_course):
    course, _, queue = full_course(capacity=1, waiting=2, code="MATH-101")
    response = client.post(f"/students/{queue[0]}/courses/{course.id}/waitlist/leave",
                           headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and queue_of(course) == queue[1:]
    assert "Full · 1 waiting" in row_of(html, course) and "Join waitlist" in html
    assert "Left the waitlist for MATH-101" in html
    assert re.search(r"took \S+ \d+ off the waitlist for MATH-101", html)


def test_joining_and_leaving_without_js_go_back_to_the_page_with_a_message(
        client, full_course, make_student):
    course, _, _ = full_course(capacity=1, waiting=0, code="MATH-101")
    student = make_student()
    url = f"/students/{student.id}/courses/{course.id}/waitlist"
    # the whole checklist form is posted to the button's formaction
    joined = client.post(url, data={"course_ids": [], "q": "math"})
    assert joined.status_code == 303
    assert joined.headers["Location"].endswith(f"/students/{student.id}?q=math")
    page = client.get(joined.headers["Location"]).get_data(as_text=True)
    assert "Waitlisted for MATH-101: 1st in line" in page
    assert "Waitlisted — 1st of 1" in row_of(page, course)

    left = client.post(url + "/leave", follow_redirects=True).get_data(as_text=True)
    assert "Left the waitlist for MATH-101" in left and queue_of(course) == []


@pytest.mark.parametrize("case, message", [
    ("free seats", "A seat is free: tick the course to enroll instead."),
    ("enrolled", "Already enrolled in this course."),
])
def test_a_refused_join_says_why_in_the_row_and_writes_nothing(client, make_student,
                                                               make_course, case, message):
    student, course = make_student(), make_course(capacity=1)
    if case == "enrolled":
        enrollment.enroll(student.id, [course.id])
    events = EnrollmentEvent.select().count()
    response = client.post(f"/students/{student.id}/courses/{course.id}/waitlist",
                           headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f'<span class="row-error" id="error-{course.id}">{message}</span>' in html
    assert WaitlistEntry.select().count() == 0 and EnrollmentEvent.select().count() == events


def test_leaving_a_waitlist_one_is_not_on_is_said_so(client, full_course, make_student):
    course, _, _ = full_course()
    response = client.post(f"/students/{make_student().id}/courses/{course.id}/waitlist/leave")
    assert response.status_code == 303
    assert "Not on this waitlist any more." in client.get(
        response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("url", ["/students/{student}/courses/999/waitlist",
                                 "/students/999/courses/{course}/waitlist/leave"])
def test_waitlist_buttons_for_deleted_records(client, full_course, make_student, url):
    course, _, _ = full_course()
    url = url.format(student=make_student().id, course=course.id)
    htmx = client.post(url, headers=HTMX)
    assert htmx.status_code == 404 and "no longer exists" in htmx.get_data(as_text=True)
    assert "<html" not in htmx.get_data(as_text=True)
    page = client.post(url)
    assert page.status_code == 404 and b'<nav aria-label="Main">' in page.data


# Promotions announced to the user whose action freed the seat -----------------------------

def test_unticking_a_full_course_promotes_and_announces_who_got_the_seat(
        client, full_course, make_student):
    course, enrolled_ids, queue = full_course(capacity=1, waiting=2, code="MATH-101")
    promoted = waitlist.waiting_students(course.id)[0]

    response = client.post(f"/students/{enrolled_ids[0]}/courses/{course.id}", data={},
                           headers=HTMX)

    html = response.get_data(as_text=True)
    assert enrolled(queue[0], course) and queue_of(course) == queue[1:]
    status = re.search(r'id="live-status" hx-swap-oob="innerHTML">([^<]*)<', html).group(1)
    assert status == (f"Removed from MATH-101. {promoted.name} got the seat in MATH-101 "
                      f"from the waitlist")
    row = row_of(html, course)  # the seat is gone again: full, one waiting, join offered
    assert "Full · 1 waiting" in row and "Join waitlist" in row and "checked" not in row


def test_an_untick_costs_eight_queries(client, make_student, make_course):
    student, course = make_student(), make_course(capacity=5)
    enrollment.enroll(student.id, [course.id])
    # session; lock; student and rows; delete; history; the waitlist; the row again;
    # the week and the summary
    with assert_query_count(8):
        client.post(f"/students/{student.id}/courses/{course.id}", data={}, headers=HTMX)
    assert not enrolled(student.id, course)


def test_ticking_a_course_that_filled_offers_the_waitlist(client, full_course, make_student):
    course, _, _ = full_course(capacity=1, waiting=1)
    student = make_student()
    response = client.post(f"/students/{student.id}/courses/{course.id}",
                           data={"course_ids": [str(course.id)]}, headers=HTMX)
    row = row_of(response.get_data(as_text=True), course)
    assert response.status_code == 409
    # "Full" once: the reason says it, the status only who waits
    assert "Course is full" in row and ">1 waiting<" in row and "Join waitlist" in row
    assert re.sub(r"<[^>]+>", "", row).lower().count("full") == 1


def test_saving_without_js_announces_promotions(client, full_course):
    course, enrolled_ids, queue = full_course(capacity=1, waiting=1, code="MATH-101")
    promoted = waitlist.waiting_students(course.id)[0]
    html = client.post(f"/students/{enrolled_ids[0]}/courses",
                       data={"was_enrolled": [str(course.id)]},
                       follow_redirects=True).get_data(as_text=True)
    assert "Removed from MATH-101" in html
    assert f"{promoted.name} got the seat in MATH-101 from the waitlist" in html


def test_promotion_history_on_both_pages(client, full_course):
    course, enrolled_ids, queue = full_course(capacity=1, waiting=1, code="MATH-101")
    name = waitlist.waiting_students(course.id)[0].name
    client.post(f"/students/{enrolled_ids[0]}/courses/{course.id}", data={}, headers=HTMX)
    student_page = text_of(client.get(f"/students/{queue[0]}").get_data(as_text=True))
    course_page = text_of(client.get(f"/courses/{course.id}").get_data(as_text=True))
    assert (f"Rita Registrar freed a seat and the waitlist enrolled {name} in MATH-101"
            in student_page)
    assert f"system added {name} to the waitlist for MATH-101" in student_page
    assert (f"Rita Registrar freed a seat and the waitlist enrolled {name} in MATH-101"
            in course_page)


# The course page's queue -----------------------------------------------------------------

def course_page(client, course):
    return client.get(f"/courses/{course.id}").get_data(as_text=True)


def test_the_course_page_lists_the_queue_in_order_with_its_controls(client, full_course):
    course, _, queue = full_course(capacity=1, waiting=3)
    names = [e.name for e in waitlist.waiting_students(course.id)]
    html = course_page(client, course)
    assert "Waitlist (3)" in html
    listed = re.findall(r'<span class="place">(\d+)\.</span>\s*<a href="/students/(\d+)">',
                        html)
    assert listed == [(str(n), str(sid)) for n, sid in enumerate(queue, 1)]
    text = text_of(html)
    assert f"Move up {names[0]}" not in text and f"Move down {names[0]}" in text
    assert f"Move up {names[2]}" in text and f"Move down {names[2]}" not in text
    assert f"Remove {names[1]} from the waitlist" in text
    assert f"Enroll now {names[1]}" in text
    assert 'name="reason" required' in html  # the course is full: a reason is needed


def test_staff_see_the_queue_without_controls(staff_client, full_course):
    course, _, _ = full_course(capacity=1, waiting=2)
    html = course_page(staff_client, course)
    assert "Waitlist (2)" in html and "Move down" not in html and "Enroll now" not in html


def test_an_empty_queue_says_so(client, make_course):
    assert "Nobody is waiting." in course_page(client, make_course(capacity=3))


@pytest.mark.parametrize("who, position, expected", [(2, 1, [2, 0, 1]), (0, 2, [1, 0, 2])])
def test_move_up_and_down(client, full_course, who, position, expected):
    course, _, queue = full_course(capacity=1, waiting=3)
    response = client.post(f"/courses/{course.id}/waitlist/{queue[who]}/move",
                           data={"position": str(position)})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/courses/{course.id}#waitlist-heading")
    assert queue_of(course) == [queue[i] for i in expected]
    assert f"is now number {position} on the waitlist" in course_page(client, course)


@pytest.mark.parametrize("position", ["", "0", "x"])
def test_a_bad_move_is_a_400(client, full_course, position):
    course, _, queue = full_course(capacity=1, waiting=2)
    response = client.post(f"/courses/{course.id}/waitlist/{queue[1]}/move",
                           data={"position": position})
    assert response.status_code == 400 and queue_of(course) == queue


def test_remove_from_the_queue(client, full_course):
    course, _, queue = full_course(capacity=1, waiting=2, code="MATH-101")
    client.post(f"/courses/{course.id}/waitlist/{queue[0]}/remove")
    assert queue_of(course) == queue[1:]
    assert "off the waitlist for MATH-101" in course_page(client, course)
    again = client.post(f"/courses/{course.id}/waitlist/{queue[0]}/remove",
                        follow_redirects=True).get_data(as_text=True)
    assert "is not on the waitlist any more" in again


def test_enroll_now_over_capacity_needs_a_reason_and_records_it(client, full_course):
    course, enrolled_ids, queue = full_course(capacity=1, waiting=2, code="MATH-101")
    url = f"/courses/{course.id}/waitlist/{queue[1]}/enroll"

    refused = client.post(url, data={"reason": "  "}, follow_redirects=True)
    assert "MATH-101 is full: give a reason" in refused.get_data(as_text=True)
    assert not enrolled(queue[1], course)

    done = client.post(url, data={"reason": "Lab bench spare"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "from the waitlist (override: Lab bench spare)." in html
    assert enrolled(queue[1], course) and queue_of(course) == queue[:1]
    assert "(override: Lab bench spare)" in text_of(html)  # in the course history too
    assert Course.get_by_id(course.id).enrolled_count == 2


def test_enroll_now_refuses_a_reason_that_is_too_long(client, full_course):
    course, _, queue = full_course(capacity=1, waiting=1)
    html = client.post(f"/courses/{course.id}/waitlist/{queue[0]}/enroll",
                       data={"reason": "x" * 501}, follow_redirects=True).get_data(as_text=True)
    assert "at most 500 characters" in html and not enrolled(queue[0], course)


def test_enroll_now_past_a_conflict_needs_a_reason(client, full_course, monkeypatch):
    course, enrolled_ids, queue = full_course(capacity=1, waiting=1)
    monkeypatch.setattr(waitlist, "blocking_conflicts",
                        lambda course_id, ids: {sid: [MissingPrerequisite(
                                                    sid, course_id, course.code,
                                                    ("MATH-100", "MATH-101"))]
                                                for sid in ids})
    enrollment.unenroll(enrolled_ids[0], course.id)  # blocked: the seat stays free
    html = course_page(client, course)
    assert "Skipped when a seat frees: Needs MATH-100 or MATH-101 first" in html
    assert 'name="reason" required' in html
    refused = client.post(f"/courses/{course.id}/waitlist/{queue[0]}/enroll",
                          follow_redirects=True).get_data(as_text=True)
    assert "would break a rule" in refused and not enrolled(queue[0], course)


def test_a_flagged_clash_is_described(client, full_course, monkeypatch):
    course, _, queue = full_course(capacity=1, waiting=1)
    monkeypatch.setattr(waitlist, "blocking_conflicts", lambda course_id, ids: {
        queue[0]: [ScheduleClash(queue[0], course_id, course.code, 9, "PHY-9", "mon", 540, 600)]})
    assert ("Skipped when a seat frees: Clashes with PHY-9, Mon 09:00–10:00"
            in course_page(client, course))


def test_removing_from_the_roster_announces_the_promotion(client, full_course):
    course, enrolled_ids, queue = full_course(capacity=1, waiting=1, code="MATH-101")
    promoted = waitlist.waiting_students(course.id)[0]
    html = client.post(f"/courses/{course.id}/students/{enrolled_ids[0]}/remove",
                       follow_redirects=True).get_data(as_text=True)
    assert "got the seat in MATH-101 from the waitlist" in html
    assert promoted.name in html and enrolled(queue[0], course)


def test_raising_capacity_on_the_form_announces_the_promotions(client, full_course):
    course, _, queue = full_course(capacity=1, waiting=3, code="MATH-101")
    names = [e.name for e in waitlist.waiting_students(course.id)]
    html = client.post(f"/courses/{course.id}/edit",
                       data={"code": "MATH-101", "title": course.title, "capacity": "3"},
                       follow_redirects=True).get_data(as_text=True)
    assert (f"Saved. {names[0]} got the seat in MATH-101 from the waitlist. {names[1]} got "
            f"the seat in MATH-101 from the waitlist.") in html
    assert queue_of(course) == queue[2:]
