"""/api/imports: a OneRoster zip uploaded (multipart), run as a job, and its state.

POST stores and checks the zip (400 when it is not a bundle, 413 when too large: nothing
written either way), queues the job and answers 202 with where to follow it; GET is the
job's status, progress and, once done, its report (API.md's JSON object).
"""
from typing import Literal

from flask import current_app, g, request, url_for
from pydantic import BaseModel, ConfigDict, Field
from spectree import Tag
from spectree.model_adapter.pydantic_adapter import BaseFile
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import json_error
from ..oneroster import NotABundle
from ..oneroster import import_jobs as imports
from .core import MULTIPART_ENDPOINTS, bp, operation

IMPORTS = Tag(name="imports", description="OneRoster CSV bundles imported as jobs.")
NO_FILE = "Send the OneRoster zip as the multipart field `file`."


class ImportUpload(BaseModel):
    """multipart/form-data: the zip, and the modes (`true`/`false`)."""
    model_config = ConfigDict(extra="forbid")
    file: BaseFile = Field(description="The OneRoster CSV bundle, a zip.")
    dry_run: bool = Field(False, description="Report what it would change; write nothing.")
    strict: bool = Field(False, description="Apply nothing if any row has an error.")


class ImportAccepted(BaseModel):
    id: int
    status: Literal["queued", "running", "done", "failed"]


class ImportCounts(BaseModel):
    terms: int
    students: int
    courses: int
    enrollments: int


class Problem(BaseModel):
    file: str | None = Field(description="null: a problem with the whole bundle.")
    line: int | None = Field(description="Line in that file; the header is line 1.")
    column: str | None
    message: str


class ImportReport(BaseModel):
    """What the import did (or, for a dry run, would do); as `oneroster import --json`."""
    model_config = ConfigDict(extra="allow")
    applied: bool
    dry_run: bool
    version: str | None
    created: ImportCounts
    updated: ImportCounts
    removed: ImportCounts
    skipped: dict[str, int]
    errors: list[Problem]
    warnings: list[Problem]


class ImportJob(BaseModel):
    id: int
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(ge=0, le=1)
    report: ImportReport | None = Field(description="null until the job is done.")
    error: str | None = Field(None, description="Why a failed job failed.")


@operation("POST", "/imports", IMPORTS, 202, ImportAccepted, 400, 413, 415)
def create_import(form: ImportUpload):
    """Upload a OneRoster zip and queue its import (a dry run with `dry_run=true`). The
    answer's `Location` is where to follow the job."""
    upload = request.files.get("file")
    if upload is None or isinstance(form.file, str):
        return json_error(400, NO_FILE, fields={"file": NO_FILE})
    try:
        job = imports.submit_upload(upload.stream, upload.filename,
                                    directory=current_app.config["IMPORTS_DIR"],
                                    user_id=g.user.id,
                                    dry_run=form.dry_run, strict=form.strict)
    except NotABundle as error:
        return json_error(400, str(error), fields={"file": str(error)})
    return (ImportAccepted(id=job.id, status=job.status), 202,
            {"Location": url_for(".get_import", job_id=job.id)})


@operation("GET", "/imports/<int:job_id>", IMPORTS, 200, ImportJob, 404)
def get_import(job_id):
    """An import job: its status, its progress (0..1) and, once done, its report."""
    job = imports.get_job(job_id)
    return ImportJob(**imports.answer_of(job), error=job.error)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """413, saying what the limit is (an import's own, or the JSON bodies' 1 MB)."""
    if request.endpoint in MULTIPART_ENDPOINTS:
        limit = imports.size_in_words(current_app.config["IMPORT_MAX_BYTES"])
        return json_error(413, f"The file is larger than {limit}, the most an import "
                               "may be. Nothing was written.")
    return json_error(413, error.description)
