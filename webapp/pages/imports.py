"""The Import page (registrars only): upload a OneRoster zip → its preview (a dry-run job)
→ Apply → a progress bar polled by htmx → the result; recent jobs; Export.

Jobs run in the job consumer (webapp/ops/jobs.py); these views only store, queue and show
(webapp/oneroster/import_jobs.py). Without JavaScript a running job's page has a Refresh button
instead of the polling.
"""
import io
import tempfile
from datetime import date
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template,
                   request, send_file, url_for)
from werkzeug.exceptions import RequestEntityTooLarge

from ..oneroster import NotABundle, export_bundle
from ..oneroster import import_jobs as imports
from ..rules.records import RecordNotFound
from .exports import csv_response

bp = Blueprint("imports", __name__, url_prefix="/imports")

REGISTRARS_ONLY = "Only registrars can import and export rosters."
EXPORT_VERSIONS = ("1.2", "1.1")
COUNTED = ("terms", "students", "courses", "enrollments")
NO_FILE = "Choose a OneRoster zip file to upload."


@bp.before_request
def registrars_only():
    if not g.user.can_edit:
        abort(403, REGISTRARS_ONLY)


@bp.errorhandler(RecordNotFound)
def _no_such_job(error):
    return render_template("errors/error.html", status=404, title="Not found",
                           message=f"There is no import job {error.record_id}."), 404


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    return _index(f"The file is larger than {_limit()}, the most an upload may be. "
                  "Nothing was imported.", 413)


def _limit():
    return imports.size_in_words(current_app.config["IMPORT_MAX_BYTES"])


def _index(problem=None, status=200, strict=False):
    return render_template("imports/index.html", jobs=imports.recent_jobs(),
                           problem=problem, strict=strict, limit=_limit(),
                           versions=EXPORT_VERSIONS), status


@bp.get("/")
def index():
    return _index()


@bp.post("/")
def upload():
    """Store the zip, check it is a bundle, and preview it (a dry-run job)."""
    upload = request.files.get("file")
    strict = bool(request.form.get("strict"))
    if upload is None or not upload.filename:
        return _index(NO_FILE, 400, strict)
    try:
        job = imports.submit_upload(upload.stream, upload.filename,
                                    directory=current_app.config["IMPORTS_DIR"],
                                    user_id=g.user.id, strict=strict)
    except NotABundle as error:
        return _index(f"{upload.filename}: {error} Nothing was imported.", 400, strict)
    return redirect(url_for(".show", job_id=job.id), 303)


@bp.get("/<int:job_id>")
def show(job_id):
    return render_template("imports/show.html", **_job_view(job_id))


@bp.get("/<int:job_id>/status")
def status(job_id):
    """htmx's poll: the job's region, with the poll on it while the job is not finished."""
    return render_template("imports/_job.html", **_job_view(job_id))


def _job_view(job_id):
    job = imports.get_job(job_id)
    return {"job": job, "progress": imports.progress_of(job), "report": imports.report_of(job),
            "counted": COUNTED}


@bp.post("/<int:job_id>/apply")
def apply(job_id):
    """Import what the preview showed (allow_removals: past the bulk removal guard)."""
    return _queue_next(lambda: imports.apply_preview(
        job_id, user_id=g.user.id, allow_removals=bool(request.form.get("allow_removals"))),
        job_id)


@bp.post("/<int:job_id>/run-again")
def run_again(job_id):
    return _queue_next(lambda: imports.run_again(job_id, user_id=g.user.id), job_id)


def _queue_next(submit, job_id):
    try:
        job = submit()
    except imports.JobNotReady as error:
        flash(str(error), "error")
        return redirect(url_for(".show", job_id=job_id), 303)
    return redirect(url_for(".show", job_id=job.id), 303)


@bp.get("/<int:job_id>/problems.csv")
def problems_csv(job_id):
    """The report's errors and warnings as a spreadsheet (like every CSV download: a BOM
    so Excel reads the names in the messages, formulas defused)."""
    report = imports.report_of(imports.get_job(job_id)) or {"errors": [], "warnings": []}
    where_and_what = ("file", "line", "column", "message")
    rows = ([kind[:-1], *(problem[key] for key in where_and_what)]
            for kind in ("errors", "warnings") for problem in report[kind])
    return csv_response(f"import-{job_id}-problems.csv", ["kind", *where_and_what], rows)


@bp.get("/export")
def export():
    """The whole school as a OneRoster zip, in the version asked for."""
    version = request.args.get("version", "1.2")
    if version not in EXPORT_VERSIONS:
        return _index(f"Choose OneRoster version {' or '.join(EXPORT_VERSIONS)} to export.",
                      400)
    with tempfile.TemporaryDirectory() as folder:  # owner-only, gone after
        path = Path(folder) / "export.zip"
        export_bundle(path, version=version)
        data = path.read_bytes()
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=f"oneroster-{version}-{date.today().isoformat()}.zip")
