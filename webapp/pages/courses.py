"""Course pages: list, roster (remove with confirmation, bulk add, CSV), forms."""
import csv
import io
from functools import partial
from urllib.parse import quote

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)

from ..models import ANY_TERM, Course, Student, Term
from ..rules import records, waitlist
from ..rules.audit import course_history
from ..rules.conflicts import conflict_messages
from ..rules.enrollment import (CourseFull, CourseNotFound, EnrollmentConflicts, NotEnrolled,
                                StudentNotFound, UnknownStudents, course_roster,
                                enroll_students, unenroll)
from ..rules.prerequisites import groups_of, in_words
from ..rules.schedule import meetings_of
from ..rules.terms import TermView, list_terms
from ..rules.waitlist import NotWaiting, PromotionBlocked
from .course_form import course_form_page, prerequisites_in_words
from .forms import CourseForm
from .ui import get_or_404, int_list, paginate, promotion_messages

bp = Blueprint("courses", __name__, url_prefix="/courses")
bp.add_app_template_global(prerequisites_in_words)


@bp.app_template_global()
def describe_conflicts(conflicts):
    """A waiting student's blocking conflicts in words, for the course page's queue
    ("Clashes with PHY-201, Wed 09:30–10:00; Needs MATH-101 first")."""
    return "; ".join(conflict_messages(conflicts))


CANDIDATES_PER_PAGE = 25
# The selection travels in the course page's URL (?student_ids=…); this many ids keep it
# well under the 4 KB request line that gunicorn and most proxies accept.
SELECTION_LIMIT = 100
REASON_LENGTH = 500  # enrollment_events.override_reason


def _term_filter(all_terms):
    """`?term=`: a term's id, `none` (courses without a term) or empty (every course)."""
    choice = request.args.get("term", "").strip()
    if choice == TermView.NO_TERM:
        return None
    if choice and choice in {str(term.id) for term in all_terms}:
        return int(choice)
    if choice:
        abort(404, description="There is no such term.")
    return ANY_TERM


@bp.get("/")
def index():
    q = request.args.get("q", "").strip()
    all_terms = list_terms()
    term = _term_filter(all_terms)
    return render_template("courses/index.html", q=q, terms=all_terms,
                           term=request.args.get("term", "").strip(),
                           page=paginate(Course.search(q, term)))


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = CourseForm(terms=list_terms(), term_id=request.args.get("term", ""))
    return course_form_page(form, records.create_course,
                            lambda course: (f"Added {course.code}.", _page_url(course)),
                            heading="New course", submit="Add course",
                            cancel_url=url_for(".index"))


@bp.route("/<int:course_id>/edit", methods=["GET", "POST"])
def edit(course_id):
    course = get_or_404(Course, course_id)
    form = CourseForm.for_course(course, meetings_of([course_id])[course_id],
                                 groups_of([course_id])[course_id], list_terms())
    return course_form_page(form, partial(records.update_course, course_id),
                            lambda saved: (_with_promotions("Saved."), _page_url(saved)),
                            heading=f"Edit {course.code}", submit="Save",
                            cancel_url=_page_url(course))


def _page_url(course):
    return url_for(".show", course_id=course.id)


def _with_promotions(message):
    """`message`, then who the waitlist promoted into the seats the action freed."""
    return " ".join([message] + [f"{text}." for text in promotion_messages()])


def _roster_or_404(course_id):
    try:
        return course_roster(course_id)
    except CourseNotFound:
        abort(404, description=f"There is no course with id {course_id}.")


@bp.get("/<int:course_id>")
def show(course_id):
    """The roster and history; for editors, Add students: the students not in the course
    matching `q`, a page at a time, and those already selected (`student_ids`), which the
    URL carries across searches and pages."""
    course = get_or_404(Course, course_id)
    q = request.args.get("q", "").strip()
    selected_ids = _unique(int_list("student_ids", request.args))
    return render_template("courses/show.html", course=course, q=q,
                           term=Term.get_by_id(course.term_id) if course.term_id else None,
                           meetings=meetings_of([course_id])[course_id],
                           needs=in_words(groups_of([course_id])[course_id]),
                           roster=_roster_or_404(course_id),
                           queue=waitlist.waiting_students(course_id),
                           candidates=paginate(Student.not_in_course(course_id, q),
                                               CANDIDATES_PER_PAGE),
                           selected=_still_to_add(course_id, selected_ids[:SELECTION_LIMIT]),
                           selection_limit=SELECTION_LIMIT,
                           selection_cut=len(selected_ids) > SELECTION_LIMIT,
                           events=course_history(course_id))


def _unique(ids):
    return list(dict.fromkeys(ids))


def _still_to_add(course_id, student_ids):
    """The selected students, by name, less any deleted or enrolled since."""
    if not student_ids:
        return []
    return list(Student.not_in_course(course_id).where(Student.id.in_(student_ids)))


def _selection_url(course_id, student_ids, page=None):
    """The course page showing the Add students form as it was submitted: its search,
    the page asked for and every ticked student."""
    return url_for(".show", course_id=course_id, q=request.form.get("q", "").strip() or None,
                   page=page if page and page > 1 else None,
                   student_ids=_unique(student_ids), _anchor="add-heading")


@bp.post("/<int:course_id>/selection")
def select_students(course_id):
    """Add students' Search and page buttons (the no-JS way; with JS typing searches):
    back to the course page with the ticks kept. Writes nothing."""
    return redirect(_selection_url(course_id, int_list("student_ids"),
                                   request.form.get("page", type=int)), 303)


@bp.post("/<int:course_id>/students")
def add_students(course_id):
    """Bulk add: every ticked student joins, or (seats short, someone unknown) none does
    and the page comes back with the selection kept."""
    student_ids = _unique(int_list("student_ids"))
    if not student_ids:
        flash("Tick at least one student to add.", "error")
        return redirect(_selection_url(course_id, []), 303)
    try:
        result = enroll_students(course_id, student_ids)
    except CourseNotFound:
        abort(404, description=f"There is no course with id {course_id}.")
    except CourseFull:
        course = get_or_404(Course, course_id)
        flash(f"{course.code} has {course.seats_left} seats left, not enough for "
              f"{len(student_ids)} students; nobody was added.", "error")
    except EnrollmentConflicts as error:
        flash(_conflicts_message(error), "error")
    except UnknownStudents:
        flash("Some of those students no longer exist; nobody was added.", "error")
    else:
        flash(f"Added {len(result.enrolled)} students.", "success")
        return redirect(url_for(".show", course_id=course_id), 303)
    return redirect(_selection_url(course_id, student_ids), 303)


def _conflicts_message(error):
    """'Nobody was added: Ada Lovelace (Clashes with PHY-201, Mon 09:00–10:00); …'."""
    by_student = {}
    for conflict in error.conflicts:
        by_student.setdefault(conflict.student_id, []).append(conflict)
    names = dict(Student.select(Student.id, Student.name)
                 .where(Student.id.in_(list(by_student))).tuples())
    return "Nobody was added: " + "; ".join(
        f"{names.get(sid, sid)} ({'; '.join(conflict_messages(found))})"
        for sid, found in by_student.items()) + "."


@bp.route("/<int:course_id>/students/<int:student_id>/remove", methods=["GET", "POST"])
def remove_student(course_id, student_id):
    """GET asks for confirmation; POST removes the student from the roster."""
    course = get_or_404(Course, course_id)
    student = get_or_404(Student, student_id)
    if request.method == "GET":
        return render_template("courses/confirm_remove.html", course=course, student=student)
    try:
        unenroll(student_id, course_id)
    except (NotEnrolled, StudentNotFound):
        flash(f"{student.name} was not on the roster.", "error")
    else:
        flash(_with_promotions(f"Removed {student.name} from {course.code}."), "success")
    return redirect(url_for(".show", course_id=course_id), 303)


# The waitlist: move up/down, remove, Enroll now (plain forms; each answers with the page)

class _Refused(Exception):
    """A queue action the rules refused; its message is flashed as an error."""


def _queue_action(course_id, student_id, act):
    """Run `act(course, student)`, flash the message it returns (or its refusal) and go
    back to the course's waitlist."""
    course = get_or_404(Course, course_id)
    student = get_or_404(Student, student_id)
    try:
        flash(act(course, student), "success")
    except NotWaiting:
        flash(f"{student.name} is not on the waitlist any more.", "error")
    except _Refused as refused:
        flash(str(refused), "error")
    return redirect(url_for(".show", course_id=course_id, _anchor="waitlist-heading"), 303)


@bp.post("/<int:course_id>/waitlist/<int:student_id>/move")
def move_waiting(course_id, student_id):
    """Move a waiting student to the posted `position` (Move up / Move down)."""
    position = request.form.get("position", type=int)
    if position is None or position < 1:
        abort(400, description="position must be a whole number, 1 or more.")

    def act(course, student):
        queue = waitlist.move(course_id, student_id, position)
        place = next(e.position for e in queue if e.student_id == student_id)
        return f"{student.name} is now number {place} on the waitlist for {course.code}."
    return _queue_action(course_id, student_id, act)


@bp.post("/<int:course_id>/waitlist/<int:student_id>/remove")
def remove_waiting(course_id, student_id):
    def act(course, student):
        waitlist.leave(course_id, student_id)
        return f"Took {student.name} off the waitlist for {course.code}."
    return _queue_action(course_id, student_id, act)


@bp.post("/<int:course_id>/waitlist/<int:student_id>/enroll")
def enroll_waiting(course_id, student_id):
    """Enroll now: ahead of the queue; over capacity (or past a conflict) with a reason."""
    reason = request.form.get("reason", "").strip()

    def act(course, student):
        if len(reason) > REASON_LENGTH:
            raise _Refused(f"The reason is too long (at most {REASON_LENGTH} characters).")
        try:
            waitlist.promote_now(course_id, student_id, reason)
        except CourseFull:
            raise _Refused(f"{course.code} is full: give a reason to enroll {student.name} "
                           f"over capacity.") from None
        except PromotionBlocked:
            raise _Refused(f"Enrolling {student.name} would break a rule (see the waitlist): "
                           f"give a reason to do it anyway.") from None
        return (f"Enrolled {student.name} in {course.code} from the waitlist"
                + (f" (override: {reason})." if reason else "."))
    return _queue_action(course_id, student_id, act)


# Cells a spreadsheet may run as a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text):
    """Keep spreadsheet apps from reading a name like '=cmd' as a formula."""
    text = text or ""  # a student without an email
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@bp.get("/<int:course_id>/roster.csv")
def roster_csv(course_id):
    """The roster as CSV; UTF-8 with a BOM so Excel reads accents correctly."""
    roster = _roster_or_404(course_id)
    course = Course.get_by_id(course_id)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["name", "email", "student_number", "enrolled_at"])
    for student in roster:
        writer.writerow([_cell(student.name), _cell(student.email), student.student_number or "",
                         student.enrolled_at.isoformat(sep=" ", timespec="seconds")])
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": _attachment(f"{course.code}-roster.csv")})


def _attachment(filename):
    """Content-Disposition for a name that may hold spaces, quotes or letters beyond
    ASCII (course codes are free text): an ASCII fallback plus RFC 6266's filename*."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in ".-_") else "_"
                       for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
