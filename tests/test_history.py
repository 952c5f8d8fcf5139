"""Enrollment history: one event per effective change, with actor and request id; undo."""
import pytest

from webapp.models import EnrollmentEvent, StudentCourse
from webapp.rules import audit, enrollment
from webapp.rules.enrollment import CourseFull, NotUndoable

RITA = audit.Actor(7, "Rita Registrar", "req-1")


def events():
    return [(e.action, e.student_id, e.course_id, e.actor_name, e.request_id)
            for e in EnrollmentEvent.select().order_by(EnrollmentEvent.id)]


def test_only_effective_changes_are_recorded(make_student, make_course):
    student, course = make_student(), make_course()
    with audit.acting_as(audit.Actor(None, "Rita Registrar", "req-1")):
        enrollment.enroll(student.id, [course.id])
        enrollment.enroll(student.id, [course.id])  # idempotent repeat: no event
        enrollment.change_enrollments(student.id, remove=[course.id])
        enrollment.change_enrollments(student.id, remove=[course.id])  # already gone
    assert events() == [("enroll", student.id, course.id, "Rita Registrar", "req-1"),
                        ("unenroll", student.id, course.id, "Rita Registrar", "req-1")]


def test_changes_outside_a_request_are_signed_by_the_system(make_student, make_course):
    student, course = make_student(), make_course()
    enrollment.enroll(student.id, [course.id])
    enrollment.unenroll(student.id, course.id)
    assert [(a, actor) for a, _, _, actor, _ in events()] == [("enroll", "system"),
                                                               ("unenroll", "system")]


def test_a_refused_change_writes_no_event(make_student, make_course):
    student, full = make_student(), make_course(capacity=1)
    enrollment.enroll(make_student().id, [full.id])
    before = events()
    with pytest.raises(CourseFull):
        enrollment.enroll(student.id, [full.id])
    with pytest.raises(enrollment.UnknownCourses):
        enrollment.enroll(student.id, [full.id + 100])
    assert events() == before


def test_bulk_enrollment_writes_one_event_per_student(make_student, make_course):
    course = make_course()
    students = [make_student() for _ in range(3)]
    enrollment.enroll(students[0].id, [course.id])
    enrollment.enroll_students(course.id, [s.id for s in students])
    assert [(a, s) for a, s, *_ in events()] == [("enroll", s.id) for s in students]


def test_undo_re_enrolls_and_is_itself_recorded(make_student, make_course):
    student, course = make_student(), make_course()
    enrollment.enroll(student.id, [course.id])
    enrollment.unenroll(student.id, course.id)
    removal = audit.student_history(student.id)[0]
    assert removal.action == "unenroll" and removal.code == course.code
    result = enrollment.undo_unenroll(removal.id, student.id)
    assert result.enrolled == [course.id] and result.course_count == 1
    assert StudentCourse.select().count() == 1
    assert [e.action for e in audit.student_history(student.id)] == ["enroll", "unenroll",
                                                                    "enroll"]


def test_undo_respects_capacity(make_student, make_course):
    student, course = make_student(), make_course(capacity=1)
    enrollment.enroll(student.id, [course.id])
    enrollment.unenroll(student.id, course.id)
    enrollment.enroll(make_student().id, [course.id])  # someone took the seat
    with pytest.raises(CourseFull):
        enrollment.undo_unenroll(audit.student_history(student.id)[0].id, student.id)


def test_only_an_unenroll_of_that_student_can_be_undone(make_student, make_course):
    student, other, course = make_student(), make_student(), make_course()
    enrollment.enroll(student.id, [course.id])
    enroll_event = audit.student_history(student.id)[0]
    enrollment.unenroll(student.id, course.id)
    removal = audit.student_history(student.id)[0]
    for event_id, student_id in [(enroll_event.id, student.id), (removal.id, other.id),
                                 (99999, student.id)]:
        with pytest.raises(NotUndoable):
            enrollment.undo_unenroll(event_id, student_id)


def test_course_history_names_the_students(make_student, make_course):
    student, course = make_student(name="Ada Lovelace"), make_course()
    enrollment.enroll(student.id, [course.id])
    (event,) = audit.course_history(course.id)
    assert event.student_name == "Ada Lovelace" and event.action == "enroll"


def test_result_counts_the_students_courses_without_an_extra_query(make_student, make_course):
    student = make_student()
    a, b, c = make_course(), make_course(), make_course()
    enrollment.enroll(student.id, [a.id, b.id])
    result = enrollment.change_enrollments(student.id, add=[c.id], remove=[a.id])
    assert result.course_count == 2
