"""Racing writers never duplicate a row nor push a course past capacity."""
import threading
from contextlib import nullcontext

from webapp.db import db
from webapp.models import Course, StudentCourse
from webapp.rules import enrollment
from webapp.rules.enrollment import CourseFull


def race(workers, connect=True):
    """Start every worker at the same instant; return what each returned or raised.
    `connect`: give each worker its own database connection (off for HTTP clients)."""
    barrier = threading.Barrier(len(workers))
    outcomes = [None] * len(workers)

    def run(i, work):
        barrier.wait()
        try:
            with db.connection_context() if connect else nullcontext():
                outcomes[i] = work()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_eight_threads_enrolling_the_same_pair_leave_one_row(make_student, make_course):
    student, course = make_student(), make_course(capacity=5)

    outcomes = race([lambda: enrollment.enroll(student.id, [course.id])] * 8)

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sum(len(o.enrolled) for o in outcomes) == 1
    assert StudentCourse.select().count() == 1
    assert Course.get_by_id(course.id).enrolled_count == 1


def test_twenty_threads_racing_for_three_seats_get_exactly_three(make_student, make_course):
    course = make_course(capacity=5)
    enrollment.enroll_students(course.id, [make_student().id, make_student().id])
    racers = [make_student() for _ in range(20)]

    outcomes = race([lambda s=s: enrollment.enroll(s.id, [course.id]) for s in racers])

    refused = [o for o in outcomes if isinstance(o, CourseFull)]
    assert len(refused) == 17, outcomes
    assert StudentCourse.select().where(StudentCourse.course == course.id).count() == 5
    assert Course.get_by_id(course.id).enrolled_count == 5
