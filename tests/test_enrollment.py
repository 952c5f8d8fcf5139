"""The enrollment service: idempotent, all-or-nothing, capacity-safe, bounded queries."""
import pytest
from playhouse.test_utils import assert_query_count

from webapp.models import Course, Student, StudentCourse
from webapp.rules import enrollment
from webapp.rules.enrollment import (ConflictingChange, CourseFull, CourseNotFound,
                                     NotEnrolled, StudentNotFound, UnknownCourses,
                                     UnknownStudents)


def enrolled_pairs():
    return sorted((r.student_id, r.course_id) for r in StudentCourse.select())


def test_enroll_adds_rows_and_reports_them(make_student, make_course):
    student, math, art = make_student(), make_course(), make_course()

    result = enrollment.enroll(student.id, [math.id, art.id])

    assert result.enrolled == [math.id, art.id]
    assert result.already_enrolled == []
    assert enrolled_pairs() == [(student.id, math.id), (student.id, art.id)]
    assert [c.code for c in student.courses] == sorted([math.code, art.code])


def test_enrolling_twice_keeps_one_row_and_its_enrolled_at(make_student, make_course):
    student, course = make_student(), make_course()
    enrollment.enroll(student.id, [course.id])
    first = StudentCourse.get().enrolled_at

    result = enrollment.enroll(student.id, [course.id])

    assert result.enrolled == [] and result.already_enrolled == [course.id]
    assert StudentCourse.select().count() == 1
    assert StudentCourse.get().enrolled_at == first


def test_duplicate_ids_in_one_request_count_once(make_student, make_course):
    student, course = make_student(), make_course(capacity=1)
    result = enrollment.enroll(student.id, [course.id, course.id, course.id])
    assert result.enrolled == [course.id]
    assert Course.get_by_id(course.id).enrolled_count == 1


def test_unknown_course_ids_write_nothing_and_are_all_reported(make_student, make_course):
    student, course = make_student(), make_course()
    with pytest.raises(UnknownCourses) as error:
        enrollment.enroll(student.id, [course.id, 9001, 9002])
    assert error.value.course_ids == [9001, 9002]
    assert enrolled_pairs() == []


def test_an_unknown_student_is_reported_before_unknown_courses(database):
    with pytest.raises(StudentNotFound):
        enrollment.enroll(424242, [9001])


def test_result_carries_the_courses_with_their_new_counts(make_student, make_course):
    student, course = make_student(), make_course(capacity=2)
    result = enrollment.enroll(student.id, [course.id])
    assert result.courses[course.id].enrolled_count == 1
    assert result.courses[course.id].seats_left == 1
    removed = enrollment.change_enrollments(student.id, remove=[course.id])
    assert removed.courses[course.id].seats_left == 2


def test_unknown_student_is_not_found(make_course):
    course = make_course()
    with pytest.raises(StudentNotFound):
        enrollment.enroll(424242, [course.id])
    with pytest.raises(StudentNotFound):
        enrollment.student_enrollments(424242)
    assert enrolled_pairs() == []


def test_a_full_course_refuses_and_nothing_else_is_written(make_student, make_course):
    first, second = make_student(), make_student()
    full, open_course = make_course(code="ALG-210", capacity=1), make_course()
    enrollment.enroll(first.id, [full.id])

    with pytest.raises(CourseFull) as error:
        enrollment.enroll(second.id, [open_course.id, full.id])

    assert error.value.course_ids == [full.id]
    assert "ALG-210" in str(error.value)
    assert enrolled_pairs() == [(first.id, full.id)]


def test_a_student_already_in_a_full_course_can_repeat_the_request(make_student, make_course):
    student, course = make_student(), make_course(capacity=1)
    enrollment.enroll(student.id, [course.id])
    assert enrollment.enroll(student.id, [course.id]).already_enrolled == [course.id]


def test_seats_follow_enrollments(make_student, make_course):
    course = make_course(capacity=3)
    students = [make_student() for _ in range(2)]
    for s in students:
        enrollment.enroll(s.id, [course.id])
    course = Course.get_by_id(course.id)
    assert (course.enrolled_count, course.seats_left, course.is_full) == (2, 1, False)
    enrollment.unenroll(students[0].id, course.id)
    assert Course.get_by_id(course.id).seats_left == 2
    assert make_course().seats_left is None


def test_unenroll_removes_the_row(make_student, make_course):
    student, course = make_student(), make_course()
    enrollment.enroll(student.id, [course.id])
    enrollment.unenroll(student.id, course.id)
    assert enrolled_pairs() == []


def test_unenroll_when_not_enrolled_says_so(make_student, make_course):
    student, course = make_student(), make_course()
    with pytest.raises(NotEnrolled):
        enrollment.unenroll(student.id, course.id)
    with pytest.raises(StudentNotFound):
        enrollment.unenroll(777, course.id)


def test_change_adds_and_removes_in_one_go(make_student, make_course):
    student = make_student()
    keep, drop, new = make_course(), make_course(), make_course()
    enrollment.enroll(student.id, [keep.id, drop.id])

    result = enrollment.change_enrollments(student.id, add=[new.id, keep.id], remove=[drop.id])

    assert (result.enrolled, result.already_enrolled, result.removed) == (
        [new.id], [keep.id], [drop.id])
    assert enrolled_pairs() == [(student.id, keep.id), (student.id, new.id)]


def test_removing_a_course_not_taken_is_a_no_op(make_student, make_course):
    student, course = make_student(), make_course()
    assert enrollment.change_enrollments(student.id, remove=[course.id]).removed == []


def test_change_with_unknown_remove_id_writes_nothing(make_student, make_course):
    student, course = make_student(), make_course()
    with pytest.raises(UnknownCourses):
        enrollment.change_enrollments(student.id, add=[course.id], remove=[555])
    assert enrolled_pairs() == []


def test_change_refuses_the_same_id_in_add_and_remove(make_student, make_course):
    student, course = make_student(), make_course()
    with pytest.raises(ConflictingChange):
        enrollment.change_enrollments(student.id, add=[course.id], remove=[course.id])


def test_empty_change_still_checks_the_student(make_student):
    assert enrollment.change_enrollments(make_student().id).enrolled == []
    with pytest.raises(StudentNotFound):
        enrollment.change_enrollments(31337)


def test_bulk_enroll_many_students_in_one_course(make_student, make_course):
    course = make_course(capacity=3)
    students = [make_student() for _ in range(3)]
    enrollment.enroll(students[0].id, [course.id])

    result = enrollment.enroll_students(course.id, [s.id for s in students])

    assert result.enrolled == [students[1].id, students[2].id]
    assert result.already_enrolled == [students[0].id]
    assert [s.id for s in enrollment.course_roster(course.id)] == sorted(s.id for s in students)


def test_bulk_enroll_without_seats_for_all_writes_nothing(make_student, make_course):
    course = make_course(capacity=2)
    students = [make_student() for _ in range(3)]
    with pytest.raises(CourseFull):
        enrollment.enroll_students(course.id, [s.id for s in students])
    assert enrolled_pairs() == []


def test_bulk_enroll_reports_unknown_students_and_courses(make_student, make_course):
    course, student = make_course(), make_student()
    with pytest.raises(UnknownStudents) as error:
        enrollment.enroll_students(course.id, [student.id, 888])
    assert error.value.student_ids == [888]
    with pytest.raises(CourseNotFound):
        enrollment.enroll_students(999, [student.id])
    with pytest.raises(CourseNotFound):
        enrollment.course_roster(999)
    assert enrolled_pairs() == []


def test_student_enrollments_are_ordered_by_code_with_enrolled_at(make_student, make_course):
    student = make_student()
    zoo, art = make_course(code="ZOO-101"), make_course(code="ART-101")
    enrollment.enroll(student.id, [zoo.id, art.id])
    courses = enrollment.student_enrollments(student.id)
    assert [c.code for c in courses] == ["ART-101", "ZOO-101"]
    assert all(c.enrolled_at is not None for c in courses)


def test_roster_is_ordered_by_name(make_student, make_course):
    course = make_course()
    zed, amy = make_student(name="Zed Young"), make_student(name="Amy Adams")
    enrollment.enroll_students(course.id, [zed.id, amy.id])
    assert [s.name for s in enrollment.course_roster(course.id)] == ["Amy Adams", "Zed Young"]
    assert [s.name for s in course.students] == ["Amy Adams", "Zed Young"]


def test_deleting_a_student_through_the_model_cascades(make_student, make_course):
    student, other, course = make_student(), make_student(), make_course()
    enrollment.enroll_students(course.id, [student.id, other.id])
    student.delete_instance()
    assert enrolled_pairs() == [(other.id, course.id)]
    assert Course.get_by_id(course.id).enrolled_count == 1
    assert Student.select().count() == 1


@pytest.mark.parametrize("how_many", [1, 200])
def test_enroll_query_count_does_not_grow_with_ids(make_student, how_many):
    student = make_student()
    Course.insert_many([{"code": f"Q-{n:03d}", "title": "Q", "capacity": 500}
                        for n in range(how_many)]).execute()
    ids = [c.id for c in Course.select(Course.id)]
    # unlocked read, locked courses, student + current rows, insert, history
    with assert_query_count(5):
        enrollment.enroll(student.id, ids)
    with assert_query_count(1):  # the idempotent repeat is one read, no write lock
        result = enrollment.enroll(student.id, ids)
    assert result.already_enrolled == ids and result.enrolled == []
    assert StudentCourse.select().count() == how_many
