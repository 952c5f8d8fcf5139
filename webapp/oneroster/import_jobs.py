"""OneRoster import jobs: the uploads, their rows in import_jobs, and where each stands.

An upload is stored owner-only under IMPORTS_DIR and checked to be a bundle (NotABundle
otherwise: the file is deleted and no row written); then a job row is written and its id
handed to the job queue, which webapp/ops/jobs.py wires in (`use_queue`: huey). The
consumer runs the import (`start_job`, then `finish_job` or `fail_job`).

Live progress is not kept in import_jobs. On SQLite the import's apply is one write
transaction that holds the database's only write lock for its whole length: a progress
UPDATE from the job on another connection would wait for that very lock (until
busy_timeout, then fail), and one on the same connection would sit inside the import's
transaction, invisible to readers until the commit and rolled back with it. So a running
job writes its progress, with a heartbeat (host, pid, time), to the queue's own key-value
storage (huey's separate SQLite file, or Redis), which takes no lock of the app's
database; `import_jobs.progress` keeps the final figure. The status changes (queued →
running → done | failed) are short transactions before and after the import's own.

A job whose runner died (kill -9, a crash, a restart) stays `running` in the table. It is
failed when read (`refresh_stale`) and when a consumer starts (`fail_stale_jobs`): its
heartbeat is missing, names a process of this machine that is gone, or is older than
STALE_AFTER seconds. The import was one transaction, so nothing of it was applied.
"""
import contextlib
import json
import os
import secrets
import shutil
import socket
import time
import unicodedata
from pathlib import Path

from peewee import JOIN

from ..db import write_transaction
from ..models import ImportJob, User, utcnow
from ..rules.audit import Actor
from ..rules.records import RecordNotFound
from .read import Bundle

# The runner beats every HEARTBEAT_EVERY seconds; a job unheard of for STALE_AFTER is dead.
HEARTBEAT_EVERY = 2
STALE_AFTER = 30
RECENT_JOBS = 20
UPLOAD_KEEP_DAYS = 30  # uploads older than this are deleted when the next one arrives

STOPPED = ("The import stopped before it finished (its job runner was stopped or crashed). "
           "Nothing was changed: run it again.")
FAILED = "The import failed with an unexpected error. Nothing was changed."
QUEUE_DOWN = "The job queue did not answer, so the import never started. Try again."
ACTIVE = ("queued", "running")


class JobNotReady(Exception):
    """An action the job's state does not allow (apply a preview that is not done…)."""


_queue = None


def use_queue(queue):
    """Install the job queue: an object with submit(job_id), write_status(job_id, record),
    read_status(job_id) -> record or None, and forget(job_id)."""
    global _queue
    _queue = queue


# Uploads --------------------------------------------------------------------------------

def store_upload(stream, directory):
    """Copy the uploaded `stream` to a new owner-only file under `directory`; its Path.
    Uploads older than UPLOAD_KEEP_DAYS go first (see forget_old_uploads)."""
    folder = Path(directory)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    forget_old_uploads(folder)
    path = folder / f"{secrets.token_hex(16)}.zip"
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    return path


def forget_old_uploads(folder, keep_days=UPLOAD_KEEP_DAYS):
    """Delete the uploads in `folder` last written more than `keep_days` ago: rosters hold
    pupils' personal data, and a job that old is not applied or run again any more (that
    then asks for the file again). Returns how many went."""
    cutoff = time.time() - keep_days * 86400
    gone = 0
    for path in folder.glob("*.zip"):
        with contextlib.suppress(FileNotFoundError):  # another worker's cleaning
            if path.stat().st_mtime < cutoff:
                path.unlink()
                gone += 1
    return gone


def size_in_words(size):
    """4 KB, 200 MB: a size limit as people read it."""
    return f"{size // 1048576} MB" if size >= 1048576 else f"{size // 1024} KB"


def shown_filename(filename):
    """The uploaded file's own name, safe to keep and show: no folders, no control
    characters, at most 255 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or "upload.zip"


def check_bundle(path):
    """NotABundle (its message says why) unless `path` is a zip the OneRoster reader may
    open: a zip, no name leaving its folder, not a zip bomb, a manifest. Reads only the
    zip's directory, so it is quick for any size."""
    Bundle(path).close()


def submit_upload(stream, filename, *, directory, user_id, dry_run=True, strict=False):
    """Store an upload, check it is a bundle (NotABundle: the file goes and nothing is
    written), and queue a job for it; the job row."""
    path = store_upload(stream, directory)
    try:
        check_bundle(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return _submit(user_id=user_id, filename=shown_filename(filename), stored_path=str(path),
                   dry_run=dry_run, strict=strict, allow_removals=False)


def apply_preview(job_id, *, user_id, allow_removals=False):
    """Queue the import that a finished preview (dry run) showed; the new job row."""
    preview = get_job(job_id)
    if not preview.dry_run or preview.status != "done":
        raise JobNotReady("Only a finished preview can be applied.")
    return _resubmit(preview, user_id=user_id, dry_run=False, allow_removals=allow_removals)


def run_again(job_id, *, user_id):
    """Queue a failed job once more with the same file and modes; the new job row."""
    job = get_job(job_id)
    if job.status != "failed":
        raise JobNotReady("Only a failed import can be run again.")
    return _resubmit(job, user_id=user_id, dry_run=job.dry_run,
                     allow_removals=job.allow_removals)


def _resubmit(job, *, user_id, dry_run, allow_removals):
    if not Path(job.stored_path).is_file():
        raise JobNotReady("The uploaded file is no longer kept: upload it again.")
    return _submit(user_id=user_id, filename=job.filename, stored_path=job.stored_path,
                   dry_run=dry_run, strict=job.strict, allow_removals=allow_removals)


def _submit(**fields):
    with write_transaction():
        job = ImportJob.create(status="queued", **fields)
    try:
        _queue.submit(job.id)
    except Exception:  # noqa: BLE001 - Redis down, huey's file unwritable: the job says so
        fail_job(job.id, QUEUE_DOWN)
    return get_job(job.id)


# Reading --------------------------------------------------------------------------------

def get_job(job_id):
    """The job (a dead runner's job failed first), or RecordNotFound."""
    return refresh_stale([_load(job_id)])[0]


def _load(job_id):
    job = (ImportJob.select(ImportJob, User).join(User, JOIN.LEFT_OUTER)
           .where(ImportJob.id == job_id).first())
    if job is None:
        raise RecordNotFound("import job", job_id)
    return job


def recent_jobs(limit=RECENT_JOBS):
    """The latest jobs, newest first, with their authors."""
    jobs = list(ImportJob.select(ImportJob, User).join(User, JOIN.LEFT_OUTER)
                .order_by(ImportJob.id.desc()).limit(limit))
    return refresh_stale(jobs)


def progress_of(job):
    """0..1: the running job's last heartbeat, else what the table holds."""
    if job.status == "running":
        record = _queue.read_status(job.id)
        if record:
            return record["progress"]
    return 1.0 if job.status == "done" else job.progress


def report_of(job):
    """The report (API.md's JSON object) of a finished job, or None."""
    return json.loads(job.report) if job.report else None


def answer_of(job):
    """{id, status, progress, report} as GET /api/imports/{id} gives it."""
    return {"id": job.id, "status": job.status, "progress": progress_of(job),
            "report": report_of(job)}


def actor_of(job):
    """History events of the import name the registrar who started it."""
    author = job.created_by
    return Actor(author.id if author else None, author.name if author else "import",
                 f"import-{job.id}")


# The runner's side --------------------------------------------------------------------

def heartbeat(job_id, progress):
    """Record that this process is running job `job_id`, `progress` (0..1) of the way."""
    _queue.write_status(job_id, {"progress": progress, "host": socket.gethostname(),
                                 "pid": os.getpid(), "at": time.time()})


def forget_progress(job_id):
    """Drop a finished job's heartbeat (the runner calls it once its beats have stopped)."""
    _queue.forget(job_id)


def start_job(job_id):
    """queued → running; False if the job was not queued (already run, or failed)."""
    with write_transaction():
        started = (ImportJob.update(status="running", started_at=utcnow())
                   .where(ImportJob.id == job_id, ImportJob.status == "queued").execute())
    return bool(started)


def finish_job(job_id, report):
    """Record the import's report. Written whatever the row says meanwhile: the import
    committed (or, for a preview, ran), and that is the truth to show."""
    with write_transaction():
        ImportJob.update(status="done", progress=1.0, finished_at=utcnow(), error=None,
                         report=json.dumps(report.to_dict()), exit_code=report.exit_code,
                         needs_removal_confirmation=bool(
                             getattr(report, "needs_removal_confirmation", False))
                         ).where(ImportJob.id == job_id).execute()
    _queue.forget(job_id)


def fail_job(job_id, message, *, only_if=ACTIVE):
    """Mark the job failed with `message` (only from the statuses `only_if`)."""
    with write_transaction():
        failed = (ImportJob.update(status="failed", error=message, finished_at=utcnow())
                  .where(ImportJob.id == job_id, ImportJob.status.in_(only_if)).execute())
    _queue.forget(job_id)
    return bool(failed)


def refresh_stale(jobs):
    """Fail each running job whose runner is gone; the jobs, as they now stand."""
    fresh = []
    for job in jobs:
        if job.status == "running" and _runner_gone(_queue.read_status(job.id)):
            fail_job(job.id, STOPPED, only_if=("running",))  # unless it finished meanwhile
            job = _load(job.id)
        fresh.append(job)
    return fresh


def fail_stale_jobs():
    """Fail every running job whose runner is gone (a consumer calls it as it starts)."""
    return [job.id for job in refresh_stale(list(ImportJob.select().where(
        ImportJob.status == "running"))) if job.status == "failed"]


def _runner_gone(record):
    if not record:
        return True
    if record["host"] == socket.gethostname() and not _process_alive(record["pid"]):
        return True
    return time.time() - record["at"] > STALE_AFTER


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
