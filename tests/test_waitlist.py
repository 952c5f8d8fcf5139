"""Waitlist rules: join, leave, reorder, and promotion whenever a seat frees."""
import pytest
from playhouse.test_utils import assert_query_count

from webapp.models import Course, EnrollmentEvent, OutboxMessage, StudentCourse, WaitlistEntry
from webapp.rules import audit, enrollment, records, waitlist
from webapp.rules.conflicts import Override
from webapp.rules.enrollment import CourseFull, CourseNotFound, StudentNotFound
from webapp.rules.waitlist import (AlreadyEnrolled, InvalidPosition, NotWaiting,
                                   PromotionBlocked, SeatsAvailable)


def roster(course):
    return {row.student_id for row in
            StudentCourse.select(StudentCourse.student).where(StudentCourse.course == course.id)}


def queue_of(course):
    return [entry.student_id for entry in waitlist.waiting_students(course.id)]


def actions(course, action):
    return [e.student_id for e in EnrollmentEvent.select().where(
        EnrollmentEvent.course == course.id, EnrollmentEvent.action == action)
        .order_by(EnrollmentEvent.id)]


# Joining --------------------------------------------------------------------------

def test_joining_a_full_course_puts_the_student_last_with_their_place(full_course,
                                                                     make_student):
    course, _, queue = full_course(waiting=2)
    newcomer = make_student()

    joined = waitlist.join(course.id, newcomer.id)

    assert (joined.position, joined.created) == (3, True)
    assert queue_of(course) == queue + [newcomer.id]
    assert [e.position for e in waitlist.waiting_students(course.id)] == [1, 2, 3]


def test_joining_again_changes_nothing_and_answers_the_same_place(full_course):
    course, _, queue = full_course(waiting=3)
    events = EnrollmentEvent.select().count()

    again = waitlist.join(course.id, queue[1])

    assert (again.position, again.created) == (2, False)
    assert queue_of(course) == queue and EnrollmentEvent.select().count() == events


def test_a_course_with_free_seats_or_no_limit_refuses_the_queue(make_student, make_course):
    student = make_student()
    with pytest.raises(SeatsAvailable) as free:
        waitlist.join(make_course(capacity=3).id, student.id)
    with pytest.raises(SeatsAvailable) as unlimited:
        waitlist.join(make_course().id, student.id)
    assert (free.value.seats_left, unlimited.value.seats_left) == (3, None)
    assert WaitlistEntry.select().count() == 0


def test_an_enrolled_student_cannot_join_and_that_is_checked_before_seats(full_course,
                                                                         make_course):
    course, enrolled, _ = full_course()
    with pytest.raises(AlreadyEnrolled):
        waitlist.join(course.id, enrolled[0])
    roomy = make_course(capacity=5)
    enrollment.enroll(enrolled[0], [roomy.id])
    with pytest.raises(AlreadyEnrolled):  # not SeatsAvailable: the order API.md gives
        waitlist.join(roomy.id, enrolled[0])


def test_unknown_course_then_unknown_student(full_course):
    course, _, _ = full_course()
    with pytest.raises(CourseNotFound):
        waitlist.join(999, 999)
    with pytest.raises(StudentNotFound):
        waitlist.join(course.id, 999)


def test_joining_and_leaving_are_history_with_actor_and_request_id(full_course, registrar,
                                                                    make_student):
    course, _, _ = full_course(waiting=0)
    student = make_student()
    with audit.acting_as(audit.Actor(registrar.id, registrar.name, "req-42")):
        waitlist.join(course.id, student.id)
        waitlist.leave(course.id, student.id)

    events = [(e.action, e.actor_name, e.request_id, e.actor_id) for e in
              EnrollmentEvent.select().where(EnrollmentEvent.student == student.id)
              .order_by(EnrollmentEvent.id)]
    assert events == [("waitlist_add", registrar.name, "req-42", registrar.id),
                      ("waitlist_remove", registrar.name, "req-42", registrar.id)]
    assert [e.action for e in audit.student_history(student.id)] == ["waitlist_remove",
                                                                     "waitlist_add"]
    assert [e.action for e in audit.course_history(course.id)][:2] == ["waitlist_remove",
                                                                       "waitlist_add"]


def test_the_entry_remembers_who_added_the_student(full_course, registrar, make_student):
    course, _, _ = full_course(waiting=0)
    with audit.acting_as(audit.Actor(registrar.id, registrar.name)):
        waitlist.join(course.id, make_student().id)
    (entry,) = waitlist.waiting_students(course.id)
    assert entry.added_by == registrar.name and entry.added_at is not None


# Leaving and reordering -------------------------------------------------------------

def test_leaving_closes_the_gap(full_course):
    course, _, queue = full_course(waiting=3)
    waitlist.leave(course.id, queue[0])
    assert queue_of(course) == queue[1:]
    assert [e.position for e in waitlist.waiting_students(course.id)] == [1, 2]
    assert waitlist.join(course.id, queue[0]).position == 3


def test_leaving_a_queue_one_is_not_in_is_refused(full_course, make_student):
    course, enrolled, _ = full_course()
    with pytest.raises(NotWaiting):
        waitlist.leave(course.id, enrolled[0])
    with pytest.raises(StudentNotFound):
        waitlist.leave(course.id, 999)
    with pytest.raises(CourseNotFound):
        waitlist.leave(999, enrolled[0])


@pytest.mark.parametrize("student, position, expected", [
    (3, 1, [3, 0, 1, 2]),      # to the front
    (0, 3, [1, 2, 0, 3]),      # back
    (1, 99, [0, 2, 3, 1]),     # past the end = last
    (2, 3, [0, 1, 2, 3]),      # where it is
])
def test_moving_a_student_renumbers_the_queue(full_course, student, position, expected):
    course, _, queue = full_course(waiting=4)
    result = waitlist.move(course.id, queue[student], position)
    assert [e.student_id for e in result] == [queue[i] for i in expected]
    assert queue_of(course) == [queue[i] for i in expected]
    positions = [p for (p,) in WaitlistEntry.select(WaitlistEntry.position)
                 .where(WaitlistEntry.course == course.id).order_by(WaitlistEntry.position)
                 .tuples()]
    assert positions == [1, 2, 3, 4]


@pytest.mark.parametrize("position", [0, -1, True, 1.5])
def test_a_position_must_be_a_whole_number_from_one(full_course, position):
    course, _, queue = full_course()
    with pytest.raises(InvalidPosition):
        waitlist.move(course.id, queue[0], position)
    assert queue_of(course) == queue


def test_moving_someone_not_waiting_is_refused(full_course):
    course, enrolled, _ = full_course()
    with pytest.raises(NotWaiting):
        waitlist.move(course.id, enrolled[0], 1)


def test_a_students_waits_list_their_place_in_each_queue(full_course, make_student):
    first, _, queue_a = full_course(code="A-1", waiting=2)
    second, _, _ = full_course(code="B-1", waiting=1)
    waitlist.join(second.id, queue_a[1])

    waits = waitlist.student_waits(queue_a[1])

    assert [(w.code, w.position, w.waiting) for w in waits] == [("A-1", 2, 2), ("B-1", 2, 2)]
    assert waitlist.student_waits(make_student().id) == []
    with pytest.raises(StudentNotFound):
        waitlist.student_waits(999)


# Promotion ----------------------------------------------------------------------------

def test_an_unenrollment_promotes_the_next_in_line_in_the_same_transaction(full_course):
    course, enrolled, queue = full_course(capacity=2, waiting=3)

    enrollment.unenroll(enrolled[0], course.id)

    assert roster(course) == {enrolled[1], queue[0]}
    assert queue_of(course) == queue[1:]
    assert actions(course, "promote") == [queue[0]]
    assert Course.get_by_id(course.id).enrolled_count == 2
    (message,) = OutboxMessage.select()
    assert message.student_id == queue[0] and course.code in message.subject


def test_leaving_two_full_courses_in_one_change_promotes_in_each(make_student, make_course):
    first, second = make_course(code="A-1", capacity=2), make_course(code="B-1", capacity=1)
    mover, other = make_student().id, make_student().id
    enrollment.enroll_students(first.id, [other, mover])
    enrollment.enroll_students(second.id, [mover])
    queue = [make_student().id for _ in range(3)]
    for student_id in queue:
        waitlist.join(first.id, student_id)
    waitlist.join(second.id, queue[1])

    result = enrollment.change_enrollments(mover, remove=[first.id, second.id])

    assert result.removed == [first.id, second.id]
    assert roster(first) == {other, queue[0]} and queue_of(first) == queue[1:]
    assert roster(second) == {queue[1]} and queue_of(second) == []
    assert actions(first, "promote") == [queue[0]] and actions(second, "promote") == [queue[1]]


def test_deleting_a_student_gives_their_seats_to_the_queues(full_course):
    course, enrolled, queue = full_course(capacity=2, waiting=2)
    records.delete_student(enrolled[1])
    assert roster(course) == {enrolled[0], queue[0]} and queue_of(course) == queue[1:]


def test_raising_capacity_promotes_as_many_as_the_new_seats(full_course):
    course, enrolled, queue = full_course(capacity=2, waiting=4)
    records.update_course(course.id, {"capacity": 4})
    assert roster(course) == set(enrolled + queue[:2]) and queue_of(course) == queue[2:]
    records.update_course(course.id, {"capacity": None})
    assert roster(course) == set(enrolled + queue) and queue_of(course) == []
    assert actions(course, "promote") == queue


def test_a_refused_capacity_change_promotes_nobody(full_course):
    course, _, queue = full_course(capacity=2, waiting=2)
    with pytest.raises(records.InvalidRecord):
        records.update_course(course.id, {"capacity": 5, "title": ""})
    assert queue_of(course) == queue and Course.get_by_id(course.id).capacity == 2


def test_a_promotion_that_fails_undoes_the_unenrollment(full_course, monkeypatch):
    course, enrolled, queue = full_course(capacity=1, waiting=1)

    def broken_outbox(messages):
        raise RuntimeError("disk full")
    monkeypatch.setattr(waitlist.outbox, "queue", broken_outbox)

    with pytest.raises(RuntimeError):
        enrollment.unenroll(enrolled[0], course.id)
    assert roster(course) == {enrolled[0]} and queue_of(course) == queue
    assert actions(course, "unenroll") == []


def test_an_unenrollment_with_nobody_waiting_costs_one_more_query(make_student, make_course):
    student, course = make_student(), make_course(capacity=2)
    enrollment.enroll(student.id, [course.id])
    # the delete, the history event, the look at the queue (SQLite's writer lock is a file)
    with assert_query_count(3):
        enrollment.unenroll(student.id, course.id)


def test_an_undo_that_finds_the_seat_taken_by_the_queue_is_refused(full_course):
    course, enrolled, queue = full_course(capacity=1, waiting=1)
    enrollment.unenroll(enrolled[0], course.id)
    removal = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll")
    with pytest.raises(CourseFull):
        enrollment.undo_unenroll(removal.id, enrolled[0])
    assert roster(course) == {queue[0]}


def test_enrolling_a_waiting_student_by_hand_ends_their_wait(full_course):
    course, enrolled, queue = full_course(capacity=2, waiting=3)
    records.update_course(course.id, {"capacity": 2})  # nothing to promote
    Course.update(capacity=10).where(Course.id == course.id).execute()  # behind the rules
    enrollment.enroll_students(course.id, [queue[2]])
    assert queue_of(course) == queue[:2]
    assert WaitlistEntry.select().where(WaitlistEntry.student == queue[2]).count() == 0


def test_a_blocked_student_is_skipped_keeps_their_place_and_is_flagged(full_course,
                                                                      monkeypatch):
    course, enrolled, queue = full_course(capacity=1, waiting=3)
    clash = {"type": "schedule_clash", "course_id": course.id, "with_course_id": 7,
             "day": "mon", "start": "09:00", "end": "10:00"}
    monkeypatch.setattr(waitlist, "blocking_conflicts",
                        lambda course_id, ids: {queue[0]: [clash]} if queue[0] in ids else {})

    enrollment.unenroll(enrolled[0], course.id)

    assert roster(course) == {queue[1]}
    entries = waitlist.waiting_students(course.id)
    assert [(e.student_id, e.position, e.blocked_by) for e in entries] == [
        (queue[0], 1, [clash]), (queue[2], 2, [])]


def test_promotions_are_noted_for_the_request_that_made_them(full_course):
    course, enrolled, queue = full_course(capacity=1, waiting=1)
    token = waitlist.start_noting()
    try:
        enrollment.unenroll(enrolled[0], course.id)
        noted = waitlist.noted_promotions()
    finally:
        waitlist.stop_noting(token)
    assert [(p.student_id, p.course_id, p.code) for p in noted] == [
        (queue[0], course.id, course.code)]
    assert waitlist.noted_promotions() == []


# A registrar's "Enroll now" -----------------------------------------------------------

def test_enroll_now_takes_anyone_in_the_queue_over_capacity_with_a_reason(full_course):
    course, enrolled, queue = full_course(capacity=2, waiting=2)
    with pytest.raises(CourseFull):
        waitlist.promote_now(course.id, queue[1], "   ")
    assert roster(course) == set(enrolled)

    waitlist.promote_now(course.id, queue[1], "  Lab has a spare bench  ")

    assert roster(course) == set(enrolled + [queue[1]]) and queue_of(course) == queue[:1]
    event = EnrollmentEvent.get(EnrollmentEvent.action == "promote")
    assert (event.student_id, event.override_reason) == (queue[1], "Lab has a spare bench")
    assert Course.get_by_id(course.id).enrolled_count == 3


def test_enroll_now_needs_a_reason_past_a_conflict(full_course, monkeypatch):
    course, enrolled, queue = full_course(capacity=1, waiting=1)
    monkeypatch.setattr(waitlist, "blocking_conflicts",
                        lambda course_id, ids: {sid: ["clash"] for sid in ids})
    enrollment.unenroll(enrolled[0], course.id)  # the seat stays free: nobody can take it
    assert roster(course) == set()
    with pytest.raises(PromotionBlocked) as error:
        waitlist.promote_now(course.id, queue[0], "")
    assert error.value.conflicts == ["clash"]
    waitlist.promote_now(course.id, queue[0], "Agreed with both teachers")
    assert roster(course) == {queue[0]}


def test_enroll_now_for_someone_not_waiting_is_refused(full_course):
    course, enrolled, _ = full_course()
    with pytest.raises(NotWaiting):
        waitlist.promote_now(course.id, enrolled[0], "reason")
    with pytest.raises(StudentNotFound):
        waitlist.promote_now(course.id, 999, "reason")


def test_a_real_clash_blocks_a_promotion_and_the_student_keeps_their_place(
        make_course, make_student, client):
    """The terms rules (rules/conflicts.py) decide who is blocked: a waiting student whose
    week the course would clash with is skipped, stays first and is flagged."""
    course = make_course(code="MATH-101", capacity=1, meetings=["mon wed 09:00-10:00"])
    other = make_course(code="PHY-201", meetings=["wed 09:30-11:00"])
    seated, clashing, free = make_student(), make_student(), make_student()
    enrollment.enroll_students(course.id, [seated.id])
    enrollment.enroll_students(other.id, [clashing.id])
    for student in (clashing, free):
        waitlist.join(course.id, student.id)

    enrollment.unenroll(seated.id, course.id)

    assert roster(course) == {free.id}
    (entry,) = waitlist.waiting_students(course.id)
    assert (entry.student_id, entry.position) == (clashing.id, 1)
    assert [c.as_json() for c in entry.blocked_by] == [
        {"type": "schedule_clash", "course_id": course.id, "with_course_id": other.id,
         "day": "wed", "start": "09:30", "end": "10:00"}]
    body = client.get(f"/api/courses/{course.id}/waitlist").get_json()
    assert body["entries"][0]["blocked_by"] == [c.as_json() for c in entry.blocked_by]
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Skipped when a seat frees: Clashes with PHY-201, Wed 09:30–10:00" in html


def test_a_missing_prerequisite_blocks_a_promotion(make_course, make_student):
    course = make_course(code="MATH-201", capacity=1, prerequisites=[["MATH-101"]])
    seated, waiting = make_student(), make_student()
    with pytest.raises(enrollment.EnrollmentConflicts):
        enrollment.enroll_students(course.id, [seated.id])
    enrollment.change_enrollments(seated.id, add=[course.id],
                                  override=Override("Placement test passed"))
    waitlist.join(course.id, waiting.id)

    enrollment.unenroll(seated.id, course.id)

    assert roster(course) == set()
    (entry,) = waitlist.waiting_students(course.id)
    assert [c.as_json() for c in entry.blocked_by] == [
        {"type": "missing_prerequisite", "course_id": course.id, "requires": ["MATH-101"]}]


def test_a_promoted_student_without_email_is_enrolled_and_no_mail_is_queued(full_course):
    from webapp.models import Student
    course, enrolled, queue = full_course(capacity=1, waiting=2)
    Student.update(email=None).where(Student.id == queue[0]).execute()  # a pupil, no address

    enrollment.unenroll(enrolled[0], course.id)

    assert roster(course) == {queue[0]} and actions(course, "promote") == [queue[0]]
    assert OutboxMessage.select().where(OutboxMessage.student == queue[0]).count() == 0
