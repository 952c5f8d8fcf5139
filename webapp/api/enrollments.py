"""/api/students/{id}/courses: which student is in which course."""
from ..rules.enrollment import change_enrollments, enroll, unenroll
from . import schemas
from .core import CHANGE_ERRORS, ENROLLMENTS, STUDENT, enrollments_of, operation


@operation("POST", STUDENT + "/courses", ENROLLMENTS, 200, schemas.EnrollResult, *CHANGE_ERRORS)
def enroll_student(student_id, json: schemas.CourseIds):
    """Enroll the student in every listed course: idempotent and all-or-nothing.

    Unknown course ids are a 400 naming them all; a course without a free seat is a 409
    naming it; in both cases nothing is written."""
    result = enroll(student_id, json.course_ids)
    courses = (enrollments_of(student_id) if result.enrollments is None
               else [schemas.Enrollment.of(e) for e in result.enrollments])
    return schemas.EnrollResult(student_id=student_id, enrolled=result.enrolled,
                                already_enrolled=result.already_enrolled, courses=courses)


@operation("GET", STUDENT + "/courses", ENROLLMENTS, 200, schemas.StudentCourses, 404)
def list_student_courses(student_id):
    """The courses the student is in, by code."""
    return schemas.StudentCourses(student_id=student_id, courses=enrollments_of(student_id))


@operation("PATCH", STUDENT + "/courses", ENROLLMENTS, 200, schemas.ChangeResult, *CHANGE_ERRORS)
def change_student_courses(student_id, json: schemas.EnrollmentChange):
    """Add and remove courses in one all-or-nothing change.

    Removing a course the student is not in changes nothing; an id in both lists is a 400."""
    result = change_enrollments(student_id, add=json.add, remove=json.remove)
    return schemas.ChangeResult(student_id=student_id, enrolled=result.enrolled,
                                already_enrolled=result.already_enrolled,
                                removed=result.removed, courses=enrollments_of(student_id))


@operation("DELETE", STUDENT + "/courses/<int:course_id>", ENROLLMENTS, 204, None, 404)
def unenroll_student(student_id, course_id):
    """Take the student out of one course (404 if they are not in it)."""
    unenroll(student_id, course_id)
    return "", 204
