"""Student pages: list and search, the student page with its course checklist, forms.

The checklist is one <form> that saves the whole selection (works without JS); htmx
upgrades each checkbox to post its own toggle and swap its row in place.
"""
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..models import Course, Student
from ..rules import records, waitlist
from ..rules.audit import UNENROLL, student_history
from ..rules.checklist import checklist, checklist_row, student_with_course_count
from ..rules.enrollment import (CourseFull, CourseNotFound, StudentNotFound, UnknownCourses,
                                change_enrollments)
from ..rules.waitlist import AlreadyEnrolled, NotWaiting, SeatsAvailable
from .checklist_rows import course_row, course_rows, ordinal
from .forms import StudentForm
from .ui import form_page, get_or_404, int_list, not_found, paginate, promotion_messages

bp = Blueprint("students", __name__, url_prefix="/students")
bp.add_app_template_global(course_row)
bp.add_app_template_global(course_rows)


def enrollment_messages(result):
    """'Enrolled in X' / 'Removed from Y' for each effective change, by course code, then
    who the waitlists promoted into the seats it freed."""
    courses = result.courses
    return ([f"Enrolled in {courses[cid].code}" for cid in result.enrolled]
            + [f"Removed from {courses[cid].code}" for cid in result.removed]
            + promotion_messages())


def full_message(error):
    return "Course is full: " + ", ".join(error.codes)


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


@bp.get("/<int:student_id>")
def show(student_id):
    """The student and their checklist, narrowed by `?q=` (code or title). Four queries
    (session, student, checklist, history) however many courses there are."""
    student = student_with_course_count(student_id)
    if student is None:
        not_found(Student, student_id)
    return render_template("students/show.html", student=student,
                           checklist=checklist(student_id, request.args.get("q", "")),
                           course_count=student.course_count,
                           events=student_history(student_id))


@bp.post("/<int:student_id>/courses")
def save_enrollments(student_id):
    """The no-JS checklist: `course_ids` are the boxes ticked on submit, `was_enrolled`
    those the page drew ticked. Only the differences are applied, so a page that went
    stale (another tab changed a course since) cannot undo what it never showed; back to
    the page with the filter (`q`) it had."""
    get_or_404(Student, student_id)
    ticked, was_ticked = set(int_list("course_ids")), set(int_list("was_enrolled"))
    try:
        result = change_enrollments(student_id, add=sorted(ticked - was_ticked),
                                    remove=sorted(was_ticked - ticked))
    except CourseFull as error:
        flash(full_message(error), "error")
    except UnknownCourses:
        flash("Some of those courses no longer exist; nothing was changed.", "error")
    else:
        for message in enrollment_messages(result) or ["No changes."]:
            flash(message, "success")
    return redirect(url_for(".show", student_id=student_id, q=request.form.get("q") or None), 303)


@bp.post("/<int:student_id>/courses/<int:course_id>")
def toggle(student_id, course_id):
    """htmx: enroll when the box is ticked (its value is posted), else unenroll. Answers
    the course's row plus out-of-band course count and live-region message."""
    ticked = course_id in int_list("course_ids")
    change = {"add": [course_id]} if ticked else {"remove": [course_id]}
    try:
        result = change_enrollments(student_id, **change)
    except CourseFull as error:
        # Filled up since the page loaded: show the row as it now is (with its waitlist),
        # unticked and refused.
        return _row_answer(student_id, course_id, error="Course is full",
                           message=full_message(error), status=409)
    except (StudentNotFound, UnknownCourses) as error:
        return _gone(error)
    # A removal may have promoted someone: read the row again for its waitlist part.
    course = result.courses[course_id] if ticked else checklist_row(student_id, course_id)
    messages = enrollment_messages(result)
    for event in result.events:  # rendered into the History list without another query
        event.code, event.undoable = course.code, event.action == UNENROLL
    return render_template("students/_toggle.html", student_id=student_id, course=course,
                           enrolled=ticked, error=None, course_count=result.course_count,
                           message=". ".join(messages) if messages else "No change.",
                           events=result.events)


def _gone(error):
    """The student or course was deleted after the page loaded; answer for the row htmx
    swaps, not a whole page."""
    thing = "student" if isinstance(error, StudentNotFound) else "course"
    return render_template("students/_gone.html", course_id=request.view_args["course_id"],
                           message=f"This {thing} no longer exists."), 404


def _row_answer(student_id, course_id, message, error=None, events=(), status=200):
    """The htmx answer for a row the student is not enrolled in: the row as it now is (read
    fresh, with its waitlist), the live-region message and any history to prepend."""
    course = checklist_row(student_id, course_id)
    if course is None:
        return _gone(UnknownCourses([course_id]))
    for event in events:  # rendered into the History list without another query
        event.code, event.undoable = course.code, False
    return render_template("students/_toggle.html", student_id=student_id, course=course,
                           enrolled=False, error=error, course_count=None, message=message,
                           events=events), status


@bp.post("/<int:student_id>/courses/<int:course_id>/waitlist")
def join_waitlist(student_id, course_id):
    """Join a full course's waitlist: htmx answers the row, a plain form goes back to the
    page with a message."""
    try:
        joined = waitlist.join(course_id, student_id)
    except (StudentNotFound, CourseNotFound) as error:
        return _gone(error) if _htmx() else _not_found_page(error)
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
        return _gone(error) if _htmx() else _not_found_page(error)
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
    flash it and go back to the page with its filter."""
    if _htmx():
        return _row_answer(student_id, course_id, message, error=message if error else None,
                           events=events, status=409 if error else 200)
    flash(message, "error" if error else "success")
    return redirect(url_for(".show", student_id=student_id, q=request.form.get("q") or None),
                    303)
