"""The registrar's desk (`/`): one term at a time (`?term=`, as on the student page), how
full its courses are (a chart and the same figures in a table), the full ones and who
waits, the students in no course of it, and the school's latest changes; each list also
as CSV; for registrars the latest OneRoster import jobs. Five queries however much data
(session, terms, courses, students, history), six with the jobs."""
from flask import Blueprint, g, render_template, url_for
from werkzeug.routing import BuildError

from ..rules import dashboard, terms
from ..rules.audit import school_history
from . import exports
from .exports import csv_response, school_time, zoned
from .students import term_view

bp = Blueprint("main", __name__)
exports.register(bp)

LATEST_CHANGES = 20
# The Import page's report of one job (webapp/pages/imports.py); the panel links to it once
# that page is there.
IMPORT_JOB_PAGE = "imports.show"
CHANGES_CSV = 10_000  # the newest changes a CSV carries (the API pages through the rest)
CHART_ROW = 22  # px per bar in the chart's coordinate space


def _view():
    all_terms = terms.list_terms()
    return all_terms, term_view(all_terms)


@bp.get("/")
def home():
    all_terms, view = _view()
    fill = dashboard.course_fill(view.term_id)
    return render_template("dashboard/index.html", terms=all_terms, view=view, fill=fill,
                           full=dashboard.full_courses(fill),
                           unenrolled=dashboard.students_without_course(view.term_id),
                           changes=school_history(LATEST_CHANGES), chart_row=CHART_ROW,
                           jobs=dashboard.latest_import_jobs() if g.can_edit else None)


@bp.app_template_global()
def import_job_url(job_id):
    """The report page of an import job, or None while the app has no such page."""
    try:
        return url_for(IMPORT_JOB_PAGE, job_id=job_id)
    except BuildError:
        return None


def _csv_name(view, what):
    return f"{view.term.code if view.term else 'no-term'}-{what}.csv"


@bp.get("/desk/fill.csv")
def fill_csv():
    """The chart's figures: every course of the term, fullest first."""
    _, view = _view()
    return csv_response(_csv_name(view, "fill"),
                        ["code", "title", "enrolled", "capacity", "fill_percent", "waiting"],
                        [(c.code, c.title, c.enrolled_count, c.capacity, c.fill_percent,
                          c.waiting) for c in dashboard.course_fill(view.term_id)])


@bp.get("/desk/full.csv")
def full_csv():
    """The term's full courses with their queue's length and who is next."""
    _, view = _view()
    full = dashboard.full_courses(dashboard.course_fill(view.term_id))
    return csv_response(_csv_name(view, "full"),
                        ["code", "title", "enrolled", "capacity", "waiting", "next_in_line",
                         zoned("next_waiting_since")],
                        [(c.code, c.title, c.enrolled_count, c.capacity, c.waiting,
                          c.next_student_name, school_time(c.next_since)) for c in full])


@bp.get("/desk/unenrolled.csv")
def unenrolled_csv():
    """Every student in no course of the term."""
    _, view = _view()
    students = dashboard.students_without_course(view.term_id, limit=None).rows
    return csv_response(_csv_name(view, "no-course"),
                        ["name", "email", "student_number"],
                        [(s.name, s.email, s.student_number) for s in students])


@bp.get("/desk/changes.csv")
def changes_csv():
    """The school's latest changes, newest first."""
    return csv_response("changes.csv",
                        [zoned("changed_at"), "by", "action", "student", "course",
                         "override_reason"],
                        [(school_time(e.at, "%Y-%m-%d %H:%M:%S"), e.actor_name, e.action,
                          e.student_name, e.code, e.override_reason)
                         for e in school_history(CHANGES_CSV)])
