"""Student pages: list and search, the student page with its course checklist, forms.

The checklist is one <form> that saves the whole selection (works without JS); htmx
upgrades each checkbox to post its own toggle and swap its row in place.
"""
from functools import partial

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)

from ..models import Course, Student
from ..rules import records, terms, waitlist
from ..rules.audit import student_history
from ..rules.checklist import checklist, student_with_course_count
from ..rules.enrollment import (CourseFull, CourseNotFound, EnrollmentConflicts,
                                StudentNotFound, UnknownCourses, change_enrollments)
from ..rules.timetable import student_week
from ..rules.waitlist import AlreadyEnrolled, NotWaiting, SeatsAvailable
from .checklist_rows import course_row, course_rows, ordinal
from .forms import StudentForm
from .row_answers import (changed_row, enrollment_messages, full_message, gone, refused_row,
                          waitlist_row)
from .timetable import timetable_cells
from .ui import form_page, get_or_404, int_list, not_found, paginate

bp = Blueprint("students", __name__, url_prefix="/students")
bp.add_app_template_global(course_row)
bp.add_app_template_global(course_rows)
bp.add_app_template_global(timetable_cells)


@bp.get("/")
def index():
    q = request.args.get("q", "").strip()
    page = paginate(Student.search(q))
    return render_template("students/index.html", q=q, page=page)


@bp.route("/new", methods=["GET", "POST"])
def new():
    return form_page(StudentForm(), records.create_student,
                     lambda student: (f"Added {student.name}.", _page_url(student)),
                     heading="New student", submit="Add student", cancel_url=url_for(".index"))


@bp.route("/<int:student_id>/edit", methods=["GET", "POST"])
def edit(student_id):
    student = get_or_404(Student, student_id)
    return form_page(StudentForm(obj=student), partial(records.update_student, student_id),
                     lambda saved: ("Saved.", _page_url(saved)),
                     heading=f"Edit {student.name}", submit="Save",
                     cancel_url=_page_url(student))


def _page_url(student):
    return url_for(".show", student_id=student.id)


def term_view(all_terms):
    """The term `?term=` chooses (an id or `none`), else the default for today."""
    try:
        return terms.term_view(all_terms, request.args.get("term", "").strip(),
                               terms.today(current_app.config["SCHOOL_TIMEZONE"]))
    except records.RecordNotFound:
        abort(404, description="There is no such term.")


@bp.get("/<int:student_id>")
def show(student_id):
    """The student, a term (`?term=`), that term's checklist narrowed by `?q=` (code or
    title) and the student's week. Six queries (session, student, terms, checklist,
    timetable, history) however many courses or meetings there are."""
    student = student_with_course_count(student_id)
    if student is None:
        not_found(Student, student_id)
    all_terms = terms.list_terms()
    view = term_view(all_terms)
    shown = checklist(student_id, request.args.get("q", ""), term_id=view.term_id)
    week, _ = student_week(student_id, view.term_id, no_term=view.term is None)
    return render_template("students/show.html", student=student, checklist=shown,
                           course_count=student.course_count, terms=all_terms, view=view,
                           week=week, events=student_history(student_id))


@bp.post("/<int:student_id>/courses")
def save_enrollments(student_id):
    """The no-JS checklist: `course_ids` are the boxes ticked on submit, `was_enrolled`
    those the page drew ticked. Only the differences are applied, so a page that went
    stale (another tab changed a course since) cannot undo what it never showed; back to
    the page with the filter (`q`) it had."""
    get_or_404(Student, student_id)
    ticked, was_ticked = set(int_list("course_ids")), set(int_list("was_enrolled"))
    add, remove = sorted(ticked - was_ticked), sorted(was_ticked - ticked)
    back = {"q": request.form.get("q") or None, "term": request.form.get("term") or None}
    try:
        result = change_enrollments(student_id, add=add, remove=remove)
    except EnrollmentConflicts:
        # Say why and let a registrar enroll anyway, on a page of its own.
        return redirect(url_for("overrides.confirm", student_id=student_id, add=add,
                                remove=remove, **back), 303)
    except CourseFull as error:
        flash(full_message(error), "error")
    except UnknownCourses:
        flash("Some of those courses no longer exist; nothing was changed.", "error")
    else:
        for message in enrollment_messages(result) or ["No changes."]:
            flash(message, "success")
    return redirect(url_for(".show", student_id=student_id, **back), 303)


@bp.post("/<int:student_id>/courses/<int:course_id>")
def toggle(student_id, course_id):
    """htmx: enroll when the box is ticked (its value is posted), else unenroll. Answers
    the course's row plus out-of-band course count and live-region message."""
    ticked = course_id in int_list("course_ids")
    change = {"add": [course_id]} if ticked else {"remove": [course_id]}
    try:
        result = change_enrollments(student_id, **change)
    except (CourseFull, EnrollmentConflicts) as error:
        # Full since the page loaded, a clash or a missing prerequisite: the row unticked
        # with the reason (its waitlist part, and for a registrar "Enroll anyway").
        return refused_row(student_id, course_id, error)
    except (StudentNotFound, UnknownCourses) as error:
        return gone(error, course_id)
    return changed_row(student_id, result, course_id, ticked)


@bp.post("/<int:student_id>/courses/<int:course_id>/waitlist")
def join_waitlist(student_id, course_id):
    """Join a full course's waitlist: htmx answers the row, a plain form goes back to the
    page with a message."""
    try:
        joined = waitlist.join(course_id, student_id)
    except (StudentNotFound, CourseNotFound) as error:
        return gone(error, course_id) if _htmx() else _not_found_page(error)
    except AlreadyEnrolled:
        return _waitlist_answer(student_id, course_id, "Already enrolled in this course.",
                                error=True)
    except SeatsAvailable:
        return _waitlist_answer(student_id, course_id,
                                "A seat is free: tick the course to enroll instead.", error=True)
    message = (f"Waitlisted for {joined.code}: {ordinal(joined.position)} in line"
               if joined.created else f"Already on the waitlist for {joined.code}")
    return _waitlist_answer(student_id, course_id, message, events=joined.events)


@bp.post("/<int:student_id>/courses/<int:course_id>/waitlist/leave")
def leave_waitlist(student_id, course_id):
    """Leave a course's waitlist (htmx: the row; plain form: back to the page)."""
    try:
        left = waitlist.leave(course_id, student_id)
    except (StudentNotFound, CourseNotFound) as error:
        return gone(error, course_id) if _htmx() else _not_found_page(error)
    except NotWaiting:
        return _waitlist_answer(student_id, course_id, "Not on this waitlist any more.",
                                error=True)
    return _waitlist_answer(student_id, course_id, f"Left the waitlist for {left.code}",
                            events=left.events)


def _htmx():
    return request.headers.get("HX-Request") == "true"


def _not_found_page(error):
    if isinstance(error, StudentNotFound):
        not_found(Student, error.student_id)
    not_found(Course, error.course_id)


def _waitlist_answer(student_id, course_id, message, error=False, events=()):
    """htmx: the row and the message (a refusal shows next to the row, 409); a plain form:
    flash it and go back to the page with its filter and term."""
    if _htmx():
        return waitlist_row(student_id, course_id, message, error=message if error else None,
                            events=events, status=409 if error else 200)
    flash(message, "error" if error else "success")
    return redirect(url_for(".show", student_id=student_id, q=request.form.get("q") or None,
                            term=request.form.get("term") or None), 303)
