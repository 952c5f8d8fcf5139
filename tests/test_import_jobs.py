"""The job side of imports: the queue's storage per settings, progress kept outside the
app's database, a dead runner's job failed, an unexpected error recorded."""
import io
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from webapp.db import is_sqlite
from webapp.models import ImportJob, Student
from webapp.oneroster import import_jobs as imports
from webapp.ops import jobs

from .roster_bundles import bundle_zip, make_job


def write_status(job, **record):
    jobs.HueyQueue().write_status(job.id, {"progress": 0.5, "host": "elsewhere", "pid": 1,
                                           "at": time.time(), **record})


def test_tests_run_jobs_in_immediate_mode_with_memory_storage(app):
    assert jobs.huey.immediate and isinstance(jobs.huey.storage, MemoryStorage)


class TestQueuedForAConsumer:
    @pytest.fixture
    def app_settings(self, tmp_path):
        return {"JOBS_IMMEDIATE": False, "JOBS_DB": str(tmp_path / "jobs.db"),
                "IMPORTS_DIR": str(tmp_path / "imports")}

    def test_an_upload_is_queued_in_huey_sqlite_file(self, app, registrar, tmp_path):
        assert isinstance(jobs.huey.storage, SqliteStorage)
        assert jobs.huey.storage.filename == str(tmp_path / "jobs.db")
        job = imports.submit_upload(io.BytesIO(bundle_zip()), "r.zip",
                                    directory=app.config["IMPORTS_DIR"], user_id=registrar.id)
        assert (job.status, jobs.huey.pending_count()) == ("queued", 1)
        assert Student.select().count() == 0

    def test_progress_is_written_and_read_while_the_app_database_is_locked(
            self, app, database_url):
        """What an import's apply does to SQLite: one writer holds the lock throughout."""
        job = make_job("running", dry_run=False)
        holder = None
        if is_sqlite():
            holder = sqlite3.connect(database_url[len("sqlite:///"):], isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            holder.execute("UPDATE students SET name = name")
        try:
            imports.heartbeat(job.id, 0.25)
            assert imports.progress_of(job) == 0.25
            imports.heartbeat(job.id, 0.5)
            assert imports.progress_of(job) == 0.5
        finally:
            if holder:
                holder.execute("ROLLBACK")
                holder.close()


class TestRedis:
    @pytest.fixture
    def app_settings(self):
        return {"JOBS_IMMEDIATE": False, "REDIS_URL": "redis://127.0.0.1:6379/15"}

    def test_redis_url_puts_the_queue_and_progress_in_redis(self, app):
        import redis
        try:
            redis.Redis.from_url(app.config["REDIS_URL"]).ping()
        except redis.ConnectionError:
            pytest.skip("no Redis at 127.0.0.1:6379")
        assert isinstance(jobs.huey.storage, RedisStorage)
        job = make_job("running", dry_run=False)
        imports.heartbeat(job.id, 0.75)
        assert imports.answer_of(imports.get_job(job.id))["progress"] == 0.75
        jobs.HueyQueue().forget(job.id)


def test_a_runner_elsewhere_is_trusted_until_its_heartbeat_is_old(app):
    job = make_job("running", dry_run=False)
    write_status(job)
    assert imports.get_job(job.id).status == "running"
    write_status(job, at=time.time() - imports.STALE_AFTER - 1)
    failed = imports.get_job(job.id)
    assert (failed.status, failed.error) == ("failed", imports.STOPPED)
    assert failed.finished_at is not None


def test_a_dead_process_of_this_machine_fails_its_job_at_once(app):
    import socket
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    job = make_job("running", dry_run=False)
    write_status(job, host=socket.gethostname(), pid=int(gone.stdout))
    assert imports.get_job(job.id).status == "failed"


def test_a_starting_consumer_fails_only_the_jobs_of_dead_runners(app):
    import os
    import socket
    alive, dead = make_job("running", dry_run=False), make_job("running", dry_run=False)
    write_status(alive, host=socket.gethostname(), pid=os.getpid())
    jobs.fail_jobs_of_dead_runners()
    assert [job_status for job_status in (ImportJob.get_by_id(alive.id).status,
                                          ImportJob.get_by_id(dead.id).status)] == \
        ["running", "failed"]


def test_an_unexpected_error_fails_the_job_and_changes_nothing(app, monkeypatch,
                                                                db_snapshot):
    import webapp.oneroster

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(webapp.oneroster, "import_bundle", broken)
    job = make_job("queued")
    before = {t: rows for t, rows in db_snapshot().items() if t != "import_jobs"}

    jobs.run_import(job.id)

    failed = ImportJob.get_by_id(job.id)
    assert (failed.status, failed.error) == ("failed", imports.FAILED)
    assert {t: rows for t, rows in db_snapshot().items() if t != "import_jobs"} == before


def test_a_job_that_is_not_queued_is_not_run_again(app):
    job = make_job("done", report='{"applied": true}')
    jobs.run_import(job.id)
    assert ImportJob.get_by_id(job.id).report == '{"applied": true}'


def test_an_uploaded_name_is_kept_without_folders_or_control_characters():
    assert imports.shown_filename("C:\\Users\\rita\\roster\x00.zip") == "roster.zip"
    assert imports.shown_filename("../../etc/passwd") == "passwd"
    assert imports.shown_filename("") == "upload.zip"
    assert len(imports.shown_filename("a" * 300 + ".zip")) == 255


def test_uploads_older_than_the_keeping_time_go_when_the_next_one_arrives(app, registrar,
                                                                          tmp_path):
    folder = tmp_path / "kept"
    folder.mkdir()
    old, recent = folder / "old.zip", folder / "recent.zip"
    for path, days in ((old, imports.UPLOAD_KEEP_DAYS + 1), (recent, 1)):
        path.write_bytes(bundle_zip())
        stamp = time.time() - days * 86400
        os.utime(path, (stamp, stamp))
    old_job = make_job("failed", stored_path=str(old))

    job = imports.submit_upload(io.BytesIO(bundle_zip()), "r.zip", directory=str(folder),
                                user_id=registrar.id)

    assert not old.exists() and recent.exists() and os.path.exists(job.stored_path)
    with pytest.raises(imports.JobNotReady, match="no longer kept: upload it again"):
        imports.run_again(old_job.id, user_id=registrar.id)
