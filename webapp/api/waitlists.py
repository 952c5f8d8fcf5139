"""/api/courses/{id}/waitlist and /api/students/{id}/waitlists: queues for full courses."""
from ..rules import records, waitlist
from . import schemas
from .core import BODY_ERRORS, COURSE, STUDENT, WAITLISTS, operation

ENTRY = COURSE + "/waitlist/<int:student_id>"


def _waitlist(course_id, entries):
    return schemas.Waitlist(course_id=course_id,
                            entries=[schemas.WaitlistEntry.of(entry) for entry in entries])


@operation("GET", COURSE + "/waitlist", WAITLISTS, 200, schemas.Waitlist, 404)
def get_waitlist(course_id):
    """The course's waitlist, next in line first. An entry a promotion would skip (a clash,
    a missing prerequisite) carries `blocked_by`."""
    records.get_course(course_id)
    return _waitlist(course_id, waitlist.waiting_students(course_id))


@operation("POST", COURSE + "/waitlist", WAITLISTS, 201, schemas.WaitlistPlace, 404, 409,
           *BODY_ERRORS, also=(200,))
def join_waitlist(course_id, json: schemas.WaitlistJoin):
    """Put a student at the end of a full course's waitlist (200 with their place if they
    are waiting already). 409 `already_enrolled` if they are in the course; 409
    `seats_left` while it has free seats (null: unlimited), so enroll instead."""
    joined = waitlist.join(course_id, json.student_id)
    place = schemas.WaitlistPlace(course_id=course_id, student_id=json.student_id,
                                  position=joined.position)
    return place, 201 if joined.created else 200


@operation("PATCH", ENTRY, WAITLISTS, 200, schemas.Waitlist, 404, *BODY_ERRORS)
def move_on_waitlist(course_id, student_id, json: schemas.WaitlistMove):
    """Move a waiting student to `position` (past the end = last); answers the whole list."""
    return _waitlist(course_id, waitlist.move(course_id, student_id, json.position))


@operation("DELETE", ENTRY, WAITLISTS, 204, None, 404)
def leave_waitlist(course_id, student_id):
    """Take a student off the waitlist (404 if they are not on it)."""
    waitlist.leave(course_id, student_id)
    return "", 204


@operation("GET", STUDENT + "/waitlists", WAITLISTS, 200, schemas.StudentWaitlists, 404)
def student_waitlists(student_id):
    """The courses the student waits for, by code, with their place in each queue."""
    entries = [schemas.StudentWait(course_id=wait.course_id, code=wait.code,
                                   position=wait.position, added_at=wait.added_at)
               for wait in waitlist.student_waits(student_id)]
    return schemas.StudentWaitlists(student_id=student_id, entries=entries)
