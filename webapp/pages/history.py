"""Undo from a History list (student page, course page, the desk's latest changes) or
from the "Removed …" message of a roster removal: re-enroll a student an unenrollment
removed."""
from collections import namedtuple
from functools import lru_cache

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ..models import Student
from ..rules import enrollment
from ..rules.conflicts import conflict_messages
from ..rules.enrollment import (
    CourseFull,
    EnrollmentConflicts,
    NotUndoable,
    StudentNotFound,
)
from ..rules.terms import TermView
from ..security import safe_next
from .exports import school_time, zone_name
from .ui import get_or_404

bp = Blueprint("history", __name__)

# What an entry says of its event (HistoryEntry's fields but request_id and undoable).
Event = namedtuple("Event", "id student_id course_id action actor_name at override_reason "
                            "code student_name")

# What each action says, naming the student and the course (str.format never reads the
# names it puts in again, whatever they contain).
WORDS = {"enroll": "enrolled {student} in {course}",
         "unenroll": "removed {student} from {course}",
         "promote": "freed a seat and the waitlist enrolled {student} in {course}",
         "waitlist_add": "added {student} to the waitlist for {course}",
         "waitlist_remove": "took {student} off the waitlist for {course}"}


@bp.app_template_global()
def history_event(event, undo_token, return_to=None):
    """One history entry (<li>) for `event` (with .code, .student_name, .undoable), said
    the same way on every page, naming who did it, the student and the course ("Rita
    Registrar enrolled Ada Lovelace in PE-101"). `undo_token` is the CSRF token when the
    reader may Undo (None hides it), fetched once per list; `return_to` "course" brings
    Undo back to the course page (in place with htmx), "desk" to the desk (and links
    student and course), else to the student's page.

    A History list holds up to 50 entries (the student page's, every toggle's): an entry's
    markup is built in Python once and remembered by everything it says (events never
    change; a renamed student or course is another key), with the reader's CSRF token,
    which changes every second, put in afterwards."""
    undo = bool(event.undoable and undo_token)
    pieces = _entry_pieces(
        (event.id, event.student_id, event.course_id, event.action, event.actor_name,
         event.at, event.override_reason, event.code, event.student_name),
        undo, return_to, zone_name(), request.script_root)
    return Markup(f"{pieces[0]}{escape(undo_token)}{pieces[1]}" if undo else pieces[0])


@lru_cache(maxsize=4096)
def _entry_pieces(fields, undo, return_to, zone, script_root):
    """The entry's markup (str), split where the Undo form's CSRF token goes (one piece
    without Undo). `zone` and `script_root` are what its time and links depend on."""
    event = Event(*fields)
    if return_to == "desk":
        student = Markup(f'<a href="{escape(url_for("students.show", student_id=event.student_id))}">'
                         f"{escape(event.student_name)}</a>")
        course = Markup(f'<a href="{escape(url_for("courses.show", course_id=event.course_id))}">'
                        f"{escape(event.code)}</a>")
    else:
        student, course = event.student_name, event.code  # escaped by Markup.format
    words = Markup(WORDS[event.action]).format(student=student, course=course)
    reason = (f'<span class="override-reason">— overridden: {escape(event.override_reason)}</span>'
              if event.override_reason else "")
    head = f"""<li>
  <time datetime="{event.at.isoformat(timespec='seconds')}Z">{escape(school_time(event.at))}</time>
  <span>
    <strong>{escape(event.actor_name)}</strong>
    {words}
    {reason}
  </span>
  """
    tail = "\n</li>"
    if not undo:
        return (head + tail,)
    before, after = _undo_form_pieces(event, return_to)
    return head + before, after + tail


def undo_form(event, csrf, return_to=None):
    """Undo of an unenrollment (`event`: id, student_id, student_name, code): a plain form
    (no JS: back to the page, which says what happened); `return_to` "course" answers
    with the course page, which htmx swaps in place of this one's <main>, "desk" goes
    back to the desk's latest changes."""
    before, after = _undo_form_pieces(event, return_to)
    return Markup(f"{before}{escape(csrf)}{after}")


def _undo_form_pieces(event, return_to):
    """undo_form's markup (str) before and after its CSRF token."""
    url = escape(url_for("history.undo", student_id=event.student_id, event_id=event.id))
    swap, back = "", ""
    if return_to == "course":
        swap = f' hx-post="{url}" hx-target="#main" hx-select="#main" hx-swap="outerHTML"'
        back = f'<input type="hidden" name="course_id" value="{escape(event.course_id)}">'
    elif return_to == "desk":
        back = (f'<input type="hidden" name="next" '
                f'value="{escape(url_for("main.home", _anchor="changes-heading"))}">')
    before = (f'<form method="post" class="undo-form" action="{url}"{swap}>\n'
              '  <input type="hidden" name="csrf_token" value="')
    after = f"""">
  {back}
  <button type="submit" class="link-button" aria-label="Undo removal of \
{escape(event.student_name)} from {escape(event.code)}">Undo</button>
</form>"""
    return before, after


def undo_message(message, event, return_to=None):
    """`message` (text) followed by an Undo button for the unenroll `event` (with .id,
    .student_id, .student_name, .code), as markup to flash."""
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
