"""Undo from a History list (student page, course page, the desk's latest changes) or
from the "Removed …" message of a roster removal: re-enroll a student an unenrollment
removed."""
from flask import Blueprint, abort, flash, get_template_attribute, redirect, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ..models import Student
from ..rules import enrollment
from ..rules.conflicts import conflict_messages
from ..rules.enrollment import CourseFull, EnrollmentConflicts, NotUndoable, StudentNotFound
from ..rules.terms import TermView
from ..security import safe_next
from .ui import get_or_404

bp = Blueprint("history", __name__)


def undo_message(message, event, return_to=None):
    """`message` (text) followed by an Undo button for the unenroll `event` (with .id,
    .student_id, .student_name, .code), as markup to flash."""
    undo_form = get_template_attribute("history/_undo.html", "undo_form")
    return Markup("{} {}").format(escape(message), undo_form(event, generate_csrf(), return_to))


@bp.post("/students/<int:student_id>/history/<int:event_id>/undo")
def undo(student_id, event_id):
    """Undo, then back where it was asked: a course page (`course_id`), the desk (`next`),
    else the student's page."""
    student = get_or_404(Student, student_id)
    course_id = request.form.get("course_id", type=int)
    back = redirect(url_for("courses.show", course_id=course_id) if course_id
                    else safe_next(request.form.get("next"))
                    or url_for("students.show", student_id=student_id), 303)
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
        flash(f"Enrolled {student.name} in {course.code} again.", "success")
    else:
        flash(f"{student.name} is already enrolled in {course.code}.", "success")
    if course_id or request.form.get("next"):
        return back
    # Back on the row it changed, in the course's term: app.js moves focus to its checkbox.
    return redirect(url_for("students.show", student_id=student_id,
                            term=course.term_id or TermView.NO_TERM,
                            _anchor=f"course-row-{course.id}"), 303)
