"""Racing clients through gunicorn (2 workers): no duplicates, no overbooking, no 5xx."""
from webapp.models import Course, StudentCourse
from webapp.rules import enrollment

from ..test_concurrency import race
from .harness import request


def enroll_call(server, headers, student_id, course_id):
    url = f"{server.base_url}/api/students/{student_id}/courses"
    return lambda: request(url, "POST", {"course_ids": [course_id]}, headers)


def test_twenty_clients_enrolling_one_pair_leave_one_row(serve, api_headers, make_student,
                                                         make_course):
    student, course = make_student(), make_course(capacity=30)
    server = serve()

    results = race([enroll_call(server, api_headers, student.id, course.id)] * 20,
                   connect=False)

    statuses = [status for status, _ in results]
    assert statuses == [200] * 20, results
    assert sum(body["enrolled"] == [course.id] for _, body in results) == 1
    assert sum(body["already_enrolled"] == [course.id] for _, body in results) == 19
    assert StudentCourse.select().where(StudentCourse.student == student.id).count() == 1
    assert Course.get_by_id(course.id).enrolled_count == 1
    assert "database is locked" not in server.log_text()


def test_fifty_clients_racing_for_the_last_five_seats_get_exactly_five(
        serve, api_headers, make_student, make_course):
    course = make_course(capacity=10)
    enrollment.enroll_students(course.id, [make_student().id for _ in range(5)])
    racers = [make_student() for _ in range(50)]
    server = serve()

    results = race([enroll_call(server, api_headers, s.id, course.id) for s in racers],
                   connect=False)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 5 + [409] * 45, results
    assert all(body["full_course_ids"] == [course.id] for status, body in results
               if status == 409)
    assert StudentCourse.select().where(StudentCourse.course == course.id).count() == 10
    assert Course.get_by_id(course.id).enrolled_count == 10
    assert "database is locked" not in server.log_text()
