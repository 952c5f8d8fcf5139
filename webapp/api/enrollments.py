"""/api/students/{id}/courses: which student is in which course."""
from ..rules.conflicts import clean_override
from ..rules.enrollment import change_enrollments, enroll, unenroll
from ..rules.records import InvalidRecord
from . import schemas
from .core import CHANGE_ERRORS, ENROLLMENTS, STUDENT, enrollments_of, operation


def override_of(body):
    """The rules' Override for the body's `override`, or None when there is none."""
    if body.override is None:
        return None
    override, errors = clean_override(body.override.reason, body.override.over_capacity)
    if errors:
        raise InvalidRecord({f"override.{key}": message for key, message in errors.items()})
    return override


@operation("POST", STUDENT + "/courses", ENROLLMENTS, 200, schemas.EnrollResult, *CHANGE_ERRORS)
def enroll_student(student_id, json: schemas.CourseIds):
    """Enroll the student in every listed course: idempotent and all-or-nothing.

    Unknown course ids are a 400 naming them all; a course without a free seat is a 409
    naming it (`full_course_ids`); a schedule clash or a missing prerequisite is a 409
    listing each (`conflicts`). Nothing is written then. A registrar's `override` (with
    a reason) enrolls despite conflicts, and with `over_capacity` despite full courses;
    its reason is kept on the history event of each enrollment it let through."""
    result = enroll(student_id, json.course_ids, override_of(json))
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

    Removing a course the student is not in changes nothing; an id in both lists is a 400.
    Conflicts and `override` as for POST; courses removed in the same change no longer
    clash, nor meet a prerequisite."""
    result = change_enrollments(student_id, add=json.add, remove=json.remove,
                                override=override_of(json))
    return schemas.ChangeResult(student_id=student_id, enrolled=result.enrolled,
                                already_enrolled=result.already_enrolled,
                                removed=result.removed, courses=enrollments_of(student_id))


@operation("DELETE", STUDENT + "/courses/<int:course_id>", ENROLLMENTS, 204, None, 404)
def unenroll_student(student_id, course_id):
    """Take the student out of one course (404 if they are not in it)."""
    unenroll(student_id, course_id)
    return "", 204
