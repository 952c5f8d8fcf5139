"""Undo from the History list: re-enroll a student an unenrollment removed."""
from flask import Blueprint, abort, flash, redirect, url_for

from ..models import Student
from ..rules import enrollment
from ..rules.conflicts import conflict_messages
from ..rules.enrollment import CourseFull, EnrollmentConflicts, NotUndoable, StudentNotFound
from ..rules.terms import TermView
from .ui import get_or_404

bp = Blueprint("history", __name__)


@bp.post("/students/<int:student_id>/history/<int:event_id>/undo")
def undo(student_id, event_id):
    get_or_404(Student, student_id)
    back = redirect(url_for("students.show", student_id=student_id), 303)
    try:
        result = enrollment.undo_unenroll(event_id, student_id)
    except StudentNotFound:
        abort(404)
    except NotUndoable:
        flash("That history entry cannot be undone.", "error")
        return back
    except CourseFull as exc:
        flash(f"Could not undo: {', '.join(exc.codes)} is full.", "error")
        return back
    except EnrollmentConflicts as exc:
        flash(f"Could not undo: {'; '.join(conflict_messages(exc.conflicts))}.", "error")
        return back
    (course,) = result.courses.values()
    if result.enrolled:
        flash(f"Enrolled in {course.code} again.", "success")
    else:
        flash(f"Already enrolled in {course.code}.", "success")
    # Back on the row it changed, in the course's term: app.js moves focus to its checkbox.
    return redirect(url_for("students.show", student_id=student_id,
                            term=course.term_id or TermView.NO_TERM,
                            _anchor=f"course-row-{course.id}"), 303)
