"""Enroll anyway: a registrar overrides a clash, a missing prerequisite or a full course,
saying why (the reason goes into the history).

Two ways in: the "Enroll anyway" control of a refused checklist row (htmx, answers the
row), and without JS the confirmation page the checklist's Save leads to when its change
is refused (a GET page that shows the reasons; its form posts the same change again with
the reason).
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..models import Student
from ..rules.conflicts import clean_override, conflict_messages
from ..rules.enrollment import (
    CourseFull,
    EnrollmentConflicts,
    StudentNotFound,
    UnknownCourses,
    change_enrollments,
    preview_conflicts,
)
from .row_answers import changed_row, enrollment_messages, refusal_reasons, refused_row
from .ui import get_or_404

bp = Blueprint("overrides", __name__, url_prefix="/students/<int:student_id>/courses")


def _student_page(student_id, **back):
    return url_for("students.show", student_id=student_id,
                   **{key: value for key, value in back.items() if value})


@bp.post("/<int:course_id>/override")
def override_row(student_id, course_id):
    """One row's "Enroll anyway": `reason-<id>` (and `over_capacity-<id>` when the course
    was full). htmx gets the row back; a plain form post goes back to the page."""
    get_or_404(Student, student_id)
    override, errors = clean_override(request.form.get(f"reason-{course_id}"),
                                      request.form.get(f"over_capacity-{course_id}"))
    htmx = request.headers.get("HX-Request") == "true"
    try:
        if errors:
            # Ask again, with what was wrong: the refusal as it stands now.
            refusal = _refusal(student_id, [course_id])
            if refusal is not None:
                return refused_row(student_id, course_id, refusal, errors["reason"], 400) \
                    if htmx else _flash_back(student_id, errors["reason"])
        result = change_enrollments(student_id, add=[course_id], override=override)
    except (CourseFull, EnrollmentConflicts) as error:
        return refused_row(student_id, course_id, error) if htmx else \
            _flash_back(student_id, "Not enrolled: " + "; ".join(refusal_reasons(error)))
    except UnknownCourses:
        abort(404, description="That course no longer exists.")
    if htmx:
        return changed_row(student_id, result, course_id, True)
    for message in enrollment_messages(result) or ["No change."]:
        flash(message, "success")
    return redirect(_student_page(student_id), 303)


def _refusal(student_id, add, remove=()):
    """The EnrollmentConflicts or CourseFull the change would meet now, or None."""
    conflicts, full, _ = preview_conflicts(student_id, add, remove)
    if conflicts:
        return EnrollmentConflicts(conflicts, [c.id for c in full])
    return CourseFull([c.id for c in full], [c.code for c in full]) if full else None


def _flash_back(student_id, message):
    flash(message, "error")
    return redirect(_student_page(student_id), 303)


@bp.route("/confirm", methods=["GET", "POST"])
def confirm(student_id):
    """Without JS: the refused change (`add`, `remove` ids), why, and a form to make it
    anyway with a reason. POST makes it; back to the student page with `q` and `term`."""
    student = get_or_404(Student, student_id)
    values = request.form if request.method == "POST" else request.args
    add, remove = _ids(values, "add"), _ids(values, "remove")
    back = {"q": values.get("q"), "term": values.get("term")}
    problem = None
    if request.method == "POST":
        override, errors = clean_override(values.get("reason"), values.get("over_capacity"))
        problem = errors.get("reason")
        if override is not None:
            try:
                result = change_enrollments(student_id, add=add, remove=remove,
                                            override=override)
            except (CourseFull, EnrollmentConflicts):
                pass  # refused again (someone else changed things): show why, as now
            except (StudentNotFound, UnknownCourses):
                flash("Some of those courses no longer exist; nothing was changed.", "error")
                return redirect(_student_page(student_id, **back), 303)
            else:
                for message in enrollment_messages(result) or ["No changes."]:
                    flash(message, "success")
                return redirect(_student_page(student_id, **back), 303)
    conflicts, full, courses = preview_conflicts(student_id, add, remove)
    if not conflicts and not full:
        flash("Nothing stands in the way of that change any more; save it again.", "success")
        return redirect(_student_page(student_id, **back), 303)
    reasons = {}
    for conflict in conflicts:
        reasons.setdefault(conflict.course_id, []).append(conflict)
    reasons = {cid: conflict_messages(found) for cid, found in reasons.items()}
    for course in full:
        reasons.setdefault(course.id, []).append("Course is full")
    rows = [(courses[cid], messages) for cid, messages in reasons.items()]
    status = 400 if problem else 409 if request.method == "POST" else 200
    return render_template("students/confirm_override.html", student=student, rows=rows,
                           add=add, remove=remove, back=back, over_capacity=bool(full),
                           problem=problem, reason=values.get("reason", "")), status


def _ids(values, name):
    """Whole-number ids from the query string or form (a 400 page for anything else)."""
    try:
        return [int(value) for value in values.getlist(name)]
    except ValueError:
        abort(400, description=f"{name} must be whole numbers.")
