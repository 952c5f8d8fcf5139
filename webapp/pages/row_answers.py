"""What a checklist row's htmx request gets back: the row as it now is, plus out-of-band
updates (course count, live-region message, History, the timetable). Shared by a
toggle (students.toggle) and an "Enroll anyway" (overrides.override_row)."""
from flask import g, render_template

from ..rules.audit import UNENROLL
from ..rules.checklist import checklist_row
from ..rules.conflicts import conflict_messages
from ..rules.enrollment import CourseFull, StudentNotFound, UnknownCourses
from ..rules.schedule import meetings_of
from ..rules.timetable import student_week
from .checklist_rows import FULL_REASON, OverrideOffer
from .ui import promotion_messages


def enrollment_messages(result):
    """'Enrolled in X' / 'Removed from Y' for each effective change, by course code, then
    who the waitlists promoted into the seats it freed."""
    courses = result.courses
    return ([f"Enrolled in {courses[cid].code}" for cid in result.enrolled]
            + [f"Removed from {courses[cid].code}" for cid in result.removed]
            + promotion_messages())


def full_message(error):
    return f"{FULL_REASON}: " + ", ".join(error.codes)


def refusal_reasons(error):
    """A CourseFull or EnrollmentConflicts refusal in words, for a row."""
    if isinstance(error, CourseFull):
        return [FULL_REASON]
    return conflict_messages(error.conflicts) + ([FULL_REASON] if error.full_course_ids else [])


def changed_row(student_id, result, course_id, ticked):
    """The row after an effective (or no-op) change of `course_id`, with the week and the
    summary of courses of the course's term (both list the course, with or without
    meeting times, so both are read again: one query)."""
    course = result.courses[course_id]
    week, found = student_week(student_id, course.term_id, no_term=course.term_id is None,
                               also=[course_id])
    meets = found.get(course_id, "")
    if not ticked:
        # A removal may have promoted someone: read the row again for its waitlist part.
        course = checklist_row(student_id, course_id) or course
    course.meets = meets
    messages = enrollment_messages(result)
    for event in result.events:  # rendered into the History list without another query
        event.code, event.undoable = course.code, event.action == UNENROLL
    return render_template("students/_toggle.html", student_id=student_id, course=course,
                           enrolled=ticked, error=None, course_count=result.course_count,
                           message=". ".join(messages) if messages else "No change.",
                           events=result.events, week=week)


def gone(error, course_id):
    """The student or course was deleted after the page loaded; answer for the row htmx
    swaps, not a whole page."""
    thing = "student" if isinstance(error, StudentNotFound) else "course"
    return render_template("students/_gone.html", course_id=course_id,
                           message=f"This {thing} no longer exists."), 404


def _fresh_row(student_id, course_id):
    """The row of a course the student is not in, read fresh (with its waitlist and its
    meetings in words), or None when the course is gone."""
    course = checklist_row(student_id, course_id)
    if course is not None:
        course.meets = "; ".join(m.text for m in meetings_of([course_id])[course_id])
    return course


def waitlist_row(student_id, course_id, message, error=None, events=(), status=200):
    """The htmx answer for a row the student is not enrolled in (after a waitlist Join or
    Leave): the row as it now is, the live-region message and any history to prepend."""
    course = _fresh_row(student_id, course_id)
    if course is None:
        return gone(UnknownCourses([course_id]), course_id)
    for event in events:  # rendered into the History list without another query
        event.code, event.undoable = course.code, False
    return render_template("students/_toggle.html", student_id=student_id, course=course,
                           enrolled=False, error=error, course_count=None, message=message,
                           events=events), status


def refused_row(student_id, course_id, error, problem=None, status=409):
    """The row unticked with why (`error`: CourseFull or EnrollmentConflicts); for a
    registrar, "Enroll anyway" with a reason (`problem`: what was wrong with the last)."""
    course = _fresh_row(student_id, course_id)
    if course is None:
        return gone(UnknownCourses([course_id]), course_id)
    reasons = refusal_reasons(error)
    over_capacity = isinstance(error, CourseFull) or bool(error.full_course_ids)
    offer = OverrideOffer(over_capacity, problem) if g.get("can_edit") else None
    return render_template("students/_toggle.html", student_id=student_id, course=course,
                           enrolled=False, error="; ".join(reasons), override=offer,
                           message=full_message(error) if isinstance(error, CourseFull)
                           else f"Not enrolled in {course.code}: {'; '.join(reasons)}",
                           course_count=None), status
