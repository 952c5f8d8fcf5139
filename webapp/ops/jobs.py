"""Jobs outside the web request, with huey (by peewee's author).

The queue lives in huey's SQLite file JOBS_DB (instance/jobs.db) by default, in Redis when
REDIS_URL is set; JOBS_IMMEDIATE (on by default under TESTING) runs a job inside the call
that queues it, with huey's in-memory storage. The consumer is a process of its own:

    huey_consumer webapp.ops.jobs.huey

(`make run`, `make serve` and the Docker entrypoint start it beside the server). It opens
the database from DATABASE_URL itself: a job needs the rules and the models, not a Flask app.

`run_import(job_id)` runs one OneRoster import job (webapp/oneroster/import_jobs.py keeps the
rows and says why progress goes to huey's key-value storage, not to the app's database).
"""
import logging
import threading
from contextlib import contextmanager
from pathlib import Path

from huey import Huey
from huey.storage import RedisStorage, SqliteStorage

from ..config import load_config
from ..db import db, make_database
from ..oneroster import import_jobs as imports
from ..rules import audit

log = logging.getLogger(__name__)


def _storage(redis_url, jobs_db):
    """huey's storage class and its arguments for these settings."""
    if redis_url:
        return RedisStorage, {"url": redis_url}
    Path(jobs_db).parent.mkdir(parents=True, exist_ok=True)
    return SqliteStorage, {"filename": str(jobs_db)}


_settings = load_config()
_storage_class, _storage_kwargs = _storage(_settings["REDIS_URL"], _settings["JOBS_DB"])
huey = Huey("registrar", storage_class=_storage_class, **_storage_kwargs)
_current = (_settings["REDIS_URL"], _settings["JOBS_DB"], False)


def configure(config):
    """Point the queue at an app's settings (a test app: immediate mode)."""
    global _current
    immediate = config["JOBS_IMMEDIATE"]
    if immediate is None:
        immediate = bool(config.get("TESTING"))
    wanted = (config["REDIS_URL"], config["JOBS_DB"], bool(immediate))
    if wanted == _current:
        return
    huey.storage_class, huey.storage_kwargs = _storage(wanted[0], wanted[1])
    # Set directly: huey's `immediate` setter would first rebuild the old kind of storage.
    huey._immediate = wanted[2]
    huey.storage = huey.create_storage()
    _current = wanted


def register(app):
    """create_app: the app's queue settings, and the queue the import rules use."""
    configure(app.config)


_database_lock = threading.Lock()


@contextmanager
def _database():
    """The app's database in this thread: the consumer opens it from DATABASE_URL on
    first use; a job run in immediate mode uses the caller's."""
    with _database_lock:
        if db.obj is None:
            db.initialize(make_database(load_config()["DATABASE_URL"]))
    opened_here = db.is_closed()
    db.connect(reuse_if_open=True)
    try:
        yield
    finally:
        if opened_here and not db.is_closed():
            db.close()


class HueyQueue:
    """The job queue the import rules use (oneroster.import_jobs.use_queue)."""

    @staticmethod
    def _key(job_id):
        return f"import-job:{job_id}"

    def submit(self, job_id):
        run_import(job_id)

    def write_status(self, job_id, record):
        huey.put(self._key(job_id), record)

    def read_status(self, job_id):
        return huey.get(self._key(job_id), peek=True)

    def forget(self, job_id):
        huey.delete(self._key(job_id))


imports.use_queue(HueyQueue())


class Heartbeat:
    """While a job runs: its progress, with this process's name and the time, written now,
    on every progress call and every HEARTBEAT_EVERY seconds (a thread), so a reader can
    tell a slow import from a dead one."""

    def __init__(self, job_id):
        self.job_id, self.fraction = job_id, 0.0
        self.lock, self.stopping = threading.Lock(), threading.Event()
        self.thread = threading.Thread(target=self._beat_until_stopped, daemon=True)

    def progress(self, fraction):
        """import_bundle's progress callback."""
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        self.beat()

    def beat(self):
        with self.lock:
            try:
                imports.heartbeat(self.job_id, self.fraction)
            except Exception:  # a missed beat must not stop the import
                log.warning("import job %s: heartbeat not written", self.job_id, exc_info=True)

    def _beat_until_stopped(self):
        while not self.stopping.wait(imports.HEARTBEAT_EVERY):
            self.beat()

    def __enter__(self):
        self.beat()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()


@huey.task()
def run_import(job_id):
    """Run import job `job_id`: import_bundle on its stored upload, with its modes; record
    the report, or why it failed. A job that is not queued (already run) is left alone."""
    from ..oneroster import NotABundle, import_bundle
    with _database():
        job = imports.get_job(job_id)
        if job.status != "queued":
            return
        # The heartbeat first: a reader seeing `running` without one takes the job for dead.
        with Heartbeat(job_id) as beat:
            if not imports.start_job(job_id):
                return
            try:
                with audit.acting_as(imports.actor_of(job)):
                    report = import_bundle(Path(job.stored_path), dry_run=job.dry_run,
                                           strict=job.strict,
                                           allow_removals=job.allow_removals,
                                           progress=beat.progress)
            except NotABundle as error:
                imports.fail_job(job_id, str(error))
            except Exception:  # recorded on the job; the log has the rest
                log.exception("import job %s failed", job_id)
                imports.fail_job(job_id, imports.FAILED)
            else:
                imports.finish_job(job_id, report)
        imports.forget_progress(job_id)  # a last beat may have come after finish_job's


@huey.on_startup()
def fail_jobs_of_dead_runners():
    """A consumer starting: jobs left running by one that died are failed."""
    with _database():
        failed = imports.fail_stale_jobs()
    if failed:
        log.warning("import jobs %s were left running by a stopped runner: failed", failed)
