"""Course pages: list, roster (remove with confirmation, bulk add, CSV), forms."""
import csv
import io
from functools import partial

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)

from ..models import ANY_TERM, Course, Student, Term
from ..rules import records
from ..rules.audit import course_history
from ..rules.conflicts import conflict_messages
from ..rules.enrollment import (CourseFull, CourseNotFound, EnrollmentConflicts, NotEnrolled,
                                StudentNotFound, UnknownStudents, course_roster,
                                enroll_students, unenroll)
from ..rules.prerequisites import groups_of, in_words
from ..rules.schedule import meetings_of
from ..rules.terms import TermView, list_terms
from .course_form import course_form_page, prerequisites_in_words
from .forms import CourseForm
from .ui import get_or_404, int_list, paginate

bp = Blueprint("courses", __name__, url_prefix="/courses")
bp.add_app_template_global(prerequisites_in_words)

CANDIDATES_SHOWN = 25


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
                            lambda saved: ("Saved.", _page_url(saved)),
                            heading=f"Edit {course.code}", submit="Save",
                            cancel_url=_page_url(course))


def _page_url(course):
    return url_for(".show", course_id=course.id)


def _roster_or_404(course_id):
    try:
        return course_roster(course_id)
    except CourseNotFound:
        abort(404, description=f"There is no course with id {course_id}.")


@bp.get("/<int:course_id>")
def show(course_id):
    course = get_or_404(Course, course_id)
    q = request.args.get("q", "").strip()
    # One more than shown tells whether to suggest narrowing the search.
    candidates = list(Student.not_in_course(course_id, q).limit(CANDIDATES_SHOWN + 1))
    return render_template("courses/show.html", course=course, q=q,
                           term=Term.get_by_id(course.term_id) if course.term_id else None,
                           meetings=meetings_of([course_id])[course_id],
                           needs=in_words(groups_of([course_id])[course_id]),
                           roster=_roster_or_404(course_id),
                           candidates=candidates[:CANDIDATES_SHOWN],
                           more_candidates=len(candidates) > CANDIDATES_SHOWN,
                           events=course_history(course_id))


@bp.post("/<int:course_id>/students")
def add_students(course_id):
    """Bulk add: every ticked student joins, or (seats short, someone unknown) none does."""
    student_ids = int_list("student_ids")
    if not student_ids:
        flash("Tick at least one student to add.", "error")
    else:
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
        flash(f"Removed {student.name} from {course.code}.", "success")
    return redirect(url_for(".show", course_id=course_id), 303)


def _cell(text):
    """Keep spreadsheet apps from reading a name like '=cmd' as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


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
    filename = f"{course.code}-roster.csv"
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
