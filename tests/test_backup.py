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
def test_backup_never_writes_through_a_symlink_planted_at_its_temporary_file(runner,
                                                                            tmp_path):
    victim = tmp_path / "elsewhere" / "victim.db"
    victim.parent.mkdir()
    (tmp_path / "registrar.bak.partial").symlink_to(victim)

    result = runner.invoke(args=["db", "backup", str(tmp_path / "registrar.bak")])

    assert result.exit_code == 0, result.output
    assert not victim.exists()
    backup = tmp_path / "registrar.bak"
    assert backup.is_file() and not backup.is_symlink()
    assert consistency(backup)[:3] == ("ok", [], [])


@sqlite_only
def test_a_backup_that_fails_its_check_leaves_no_file_behind(runner, monkeypatch, tmp_path):
    from webapp.ops import backup

    def corrupt(path):
        raise backup.BackupError(f"{path}: integrity check failed: page 3")
    monkeypatch.setattr(backup, "check_file", corrupt)
    folder = tmp_path / "backups"
    folder.mkdir()

    result = runner.invoke(args=["db", "backup", str(folder / "registrar.bak")])

    assert result.exit_code == 1 and "integrity check failed" in result.output
    assert list(folder.iterdir()) == []


@sqlite_only
def test_backup_and_restore_work_in_a_folder_with_a_hash_in_its_name(runner, make_student,
                                                                     tmp_path):
    make_student(name="Kept Student")
    folder = tmp_path / "term#1"
    folder.mkdir()

    backed_up = runner.invoke(args=["db", "backup", str(folder / "registrar.bak")])
    from webapp.models import Student
    Student.delete().execute()
    restored = runner.invoke(args=["db", "restore", str(folder / "registrar.bak"), "--yes"])

    assert backed_up.exit_code == 0, backed_up.output
    assert restored.exit_code == 0, restored.output
    assert [s.name for s in Student.select()] == ["Kept Student"]
    assert not (tmp_path / "term").exists()  # what `file:…/term#1/…` named
    assert [p.name for p in folder.iterdir()] == ["registrar.bak"]


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
