"""A real job consumer (`huey_consumer webapp.ops.jobs.huey`) killed with SIGKILL in the
middle of an import's apply: the database is as it was, the job reads failed, and running
it again imports everything."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from webapp.db import db, is_sqlite
from webapp.models import ImportJob, Student, StudentCourse
from webapp.oneroster import import_jobs as imports

from ..roster_bundles import write_bundle
from .harness import HUEY_CONSUMER, PROJECT_ROOT, HueyConsumer

STUDENTS, CLASSES, PER_STUDENT = 10_000, 50, 3


@pytest.fixture
def app_settings(tmp_path):
    return {"JOBS_IMMEDIATE": False, "JOBS_DB": str(tmp_path / "jobs.db"),
            "IMPORTS_DIR": str(tmp_path / "imports")}


@pytest.fixture
def consumers(app, tmp_path):
    started = []

    def start():
        consumer = HueyConsumer(tmp_path / f"consumer-{len(started)}.log",
                                app.config["DATABASE_URL"], app.config["JOBS_DB"]).start()
        started.append(consumer)
        return consumer
    yield start
    for consumer in started:
        consumer.stop()


def wait_for(condition, consumer, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert consumer.process.poll() is None, consumer.log_tail()
        time.sleep(0.02)
    pytest.fail(f"gave up waiting; consumer log:\n{consumer.log_tail()}")


def applying(database_url):
    """Is an import's write transaction open right now (held by another process)?"""
    if database_url.startswith("sqlite"):
        probe = sqlite3.connect(database_url[len("sqlite:///"):], timeout=0,
                                isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # "database is locked": the writer is in
            return True
        finally:
            probe.close()
    held = db.execute_sql(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE c.relname IN ('students', 'student_courses') AND l.mode = 'RowExclusiveLock' "
        "AND l.pid <> pg_backend_pid()").fetchone()[0]
    return held > 0


def app_rows():
    tables = sorted(t for t in db.get_tables() if t not in {"schema_migration", "import_jobs"})
    return {t: db.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def job_status(job_id):
    return ImportJob.get_by_id(job_id).status


def test_a_consumer_killed_mid_import_changes_nothing_and_the_job_runs_again(
        app, database_url, registrar, consumers, tmp_path):
    bundle = write_bundle(tmp_path / "big.zip", students=STUDENTS, classes=CLASSES,
                          per_student=PER_STUDENT)
    with bundle.open("rb") as stream:
        job = imports.submit_upload(stream, "big.zip", directory=app.config["IMPORTS_DIR"],
                                    user_id=registrar.id, dry_run=False)
    assert job.status == "queued"
    before = app_rows()

    consumer = consumers()
    wait_for(lambda: job_status(job.id) == "running" and applying(database_url), consumer)
    consumer.kill()

    assert app_rows() == before  # the import's one transaction died with the process
    if is_sqlite():
        assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    failed = imports.get_job(job.id)  # its runner is a dead process of this machine
    assert (failed.status, failed.error) == ("failed", imports.STOPPED)

    again = imports.run_again(job.id, user_id=registrar.id)
    consumer = consumers()
    wait_for(lambda: job_status(again.id) in {"done", "failed"}, consumer)

    done = imports.get_job(again.id)
    assert done.status == "done", done.error
    assert imports.report_of(done)["applied"] is True
    assert Student.select().count() == STUDENTS
    assert StudentCourse.select().count() == STUDENTS * PER_STUDENT


def with_jobs(app, tmp_path, *server):
    """with-jobs.sh (as make run/serve and Docker use it) around `server`."""
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"],
           "JOBS_DB": app.config["JOBS_DB"], "PYTHONPATH": str(PROJECT_ROOT),
           "HUEY_CONSUMER": str(HUEY_CONSUMER), "JOB_WORKERS": "1"}
    log_path = tmp_path / "with-jobs.log"
    with open(log_path, "ab") as log:
        script = subprocess.Popen(["bash", str(PROJECT_ROOT / "with-jobs.sh"), *server],
                                  cwd=PROJECT_ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    return script, log_path


def group_gone(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("ending", ["signal", "server exits"])
def test_with_jobs_runs_the_consumer_beside_the_server_and_stops_both(app, tmp_path, ending):
    done = tmp_path / "server-may-exit"  # the stand-in server runs until this file exists
    script, log_path = with_jobs(
        app, tmp_path, sys.executable, "-c",
        f"import os, time\nwhile not os.path.exists({str(done)!r}): time.sleep(0.05)")
    try:
        deadline = time.monotonic() + 60
        while "Huey consumer started" not in log_path.read_text(errors="replace"):
            assert time.monotonic() < deadline and script.poll() is None, \
                log_path.read_text(errors="replace")
            time.sleep(0.05)
        if ending == "signal":
            script.terminate()
        else:
            done.touch()
        script.wait(timeout=60)
        assert group_gone(script.pid), "the consumer outlived with-jobs.sh"
    finally:
        if not group_gone(script.pid):
            os.killpg(script.pid, signal.SIGKILL)
