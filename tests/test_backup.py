"""`flask db backup` / `db restore`: consistent copies of SQLite taken while writes go on."""
import random
import sqlite3
import threading

import pytest

from webapp.db import db
from webapp.models import Course, StudentCourse
from webapp.rules import enrollment

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
postgres_only = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


class EnrollmentWriter(threading.Thread):
    """Enrolls and unenrolls random pairs through the service until stopped."""

    def __init__(self, student_ids, course_ids):
        super().__init__(daemon=True)
        self.student_ids, self.course_ids = student_ids, course_ids
        self.writes = 0
        self.started_writing = threading.Event()
        self.stop = threading.Event()
        self.error = None

    def run(self):
        rng = random.Random(5)
        try:
            with db.connection_context():
                while not self.stop.is_set():
                    student, course = rng.choice(self.student_ids), rng.choice(self.course_ids)
                    try:
                        enrollment.change_enrollments(
                            student, **{rng.choice(["add", "remove"]): [course]})
                    except (enrollment.CourseFull, enrollment.EnrollmentConflicts):
                        pass  # refused (full, or a clash: gen-data courses meet weekly)
                    self.writes += 1
                    if self.writes >= 20:
                        self.started_writing.set()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
            self.started_writing.set()


def consistency(path):
    """(integrity_check, foreign_key_check rows, courses whose count != their rows, rows)."""
    connection = sqlite3.connect(path)
    try:
        return (connection.execute("PRAGMA integrity_check").fetchone()[0],
                connection.execute("PRAGMA foreign_key_check").fetchall(),
                connection.execute(
                    "SELECT id FROM courses WHERE enrolled_count != "
                    "(SELECT COUNT(*) FROM student_courses WHERE course_id = courses.id)"
                ).fetchall(),
                connection.execute("SELECT COUNT(*) FROM student_courses").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture
def loaded(runner):
    result = runner.invoke(args=["gen-data", "--students", "3000", "--courses", "120",
                                 "--enrollments", "30000"])
    assert result.exit_code == 0, result.output
    return ([s for (s,) in StudentCourse.select(StudentCourse.student).distinct().tuples()],
            [c for (c,) in Course.select(Course.id).tuples()])


@sqlite_only
def test_backup_taken_under_write_load_restores_consistent(runner, loaded, tmp_path):
    writer = EnrollmentWriter(*loaded)
    writer.start()
    writer.started_writing.wait(timeout=30)
    backed_up = runner.invoke(args=["db", "backup", str(tmp_path / "registrar.bak")])
    writer.stop.set()
    writer.join(timeout=30)

    assert writer.error is None
    assert backed_up.exit_code == 0, backed_up.output
    assert "integrity check ok" in backed_up.output
    integrity, orphans, miscounted, rows = consistency(tmp_path / "registrar.bak")
    assert (integrity, orphans, miscounted) == ("ok", [], [])
    assert rows > 0

    StudentCourse.delete().execute()  # lose everything, then restore
    restored = runner.invoke(args=["db", "restore", str(tmp_path / "registrar.bak"), "--yes"])

    assert restored.exit_code == 0, restored.output
    assert StudentCourse.select().count() == rows
    live_path = db.obj.database
    assert consistency(live_path)[:3] == ("ok", [], [])


@sqlite_only
def test_backup_never_overwrites_an_existing_file(runner, tmp_path):
    target = tmp_path / "taken.bak"
    target.write_text("keep me")

    result = runner.invoke(args=["db", "backup", str(target)])

    assert result.exit_code == 1
    assert "exists" in result.output
    assert target.read_text() == "keep me"


@sqlite_only
def test_restore_refuses_a_file_that_is_not_a_registrar_database(runner, make_student,
                                                                 tmp_path):
    make_student()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()

    for path in (junk, other):
        result = runner.invoke(args=["db", "restore", str(path), "--yes"])
        assert result.exit_code == 1, result.output
        assert "not a" in result.output

    from webapp.models import Student
    assert Student.select().count() == 1


@sqlite_only
def test_restore_asks_before_replacing_data(runner, tmp_path):
    runner.invoke(args=["db", "backup", str(tmp_path / "b.bak")])

    result = runner.invoke(args=["db", "restore", str(tmp_path / "b.bak")], input="n\n")

    assert result.exit_code == 1
    assert "Aborted" in result.output


@postgres_only
def test_backup_and_restore_on_postgres_point_to_pg_dump(runner, tmp_path):
    result = runner.invoke(args=["db", "backup", str(tmp_path / "x.bak")])
    assert result.exit_code == 1 and "pg_dump --format=custom" in result.output
    assert not (tmp_path / "x.bak").exists()
    (tmp_path / "x.dump").write_text("")
    result = runner.invoke(args=["db", "restore", str(tmp_path / "x.dump"), "--yes"])
    assert result.exit_code == 1 and "pg_restore --clean" in result.output
