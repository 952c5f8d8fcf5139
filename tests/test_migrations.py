"""Migrations build the schema from nothing and roll back without touching other data."""
import shutil
import textwrap

import pytest
from peewee import IntegrityError, SqliteDatabase

from webapp.db import db
from webapp.ops import migrate
from webapp.rules.names import name_keys

from .conftest import MIGRATIONS_DIR, release, use_database

ALL_MIGRATIONS = ["0001_students_courses", "0002_student_courses", "0003_course_enrolled_count",
                  "0004_users_sessions_tokens", "0005_enrollment_events", "0006_terms",
                  "0007_course_meetings_prerequisites", "0008_event_override_reason",
                  "0009_waitlists_outbox", "0010_accounts", "0011_oneroster",
                  "0012_import_jobs", "0013_student_name_keys",
                  "0014_statement_level_counts"]
TERM_TABLES = {"terms", "course_meetings", "course_prerequisites"}

STUDENT_COLUMNS = "id, name, email, student_number, created_at"
COURSE_COLUMNS = "id, code, title, capacity, created_at"


@pytest.fixture
def empty_db(empty_database_url):
    database = use_database(empty_database_url)
    yield database
    release(database)


def rows(database, table, columns):
    return database.execute_sql(f"SELECT {columns} FROM {table} ORDER BY 1").fetchall()


def fk_delete_rules(database, table):
    """{column: (referenced table, ON DELETE rule)} read from the live schema."""
    if isinstance(database, SqliteDatabase):
        return {r[3]: (r[2], r[6]) for r in
                database.execute_sql(f"PRAGMA foreign_key_list({table})").fetchall()}
    return {column: (ref, rule) for column, ref, rule in database.execute_sql(
        """SELECT kcu.column_name, ccu.table_name, rc.delete_rule
           FROM information_schema.referential_constraints rc
           JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name
           JOIN information_schema.constraint_column_usage ccu
             ON ccu.constraint_name = rc.unique_constraint_name
           WHERE kcu.table_name = %s""", (table,)).fetchall()}


def seed_rows(database):
    database.execute_sql("INSERT INTO students (name, email, student_number, created_at) VALUES "
                         "('Ada Lovelace', 'ada@example.edu', 'S1', '2026-01-02 03:04:05'), "
                         "('Alan Turing', 'alan@example.edu', NULL, '2026-01-03 03:04:05')")
    database.execute_sql("INSERT INTO courses (code, title, capacity, created_at) VALUES "
                         "('MATH-101', 'Algebra', 30, '2026-01-02 00:00:00'), "
                         "('ART-101', 'Drawing', NULL, '2026-01-02 00:00:00')")


def enroll_raw(database, pairs):
    for student_id, course_id in pairs:
        database.execute_sql("INSERT INTO student_courses (student_id, course_id, enrolled_at) "
                             f"VALUES ({student_id}, {course_id}, '2026-02-01 10:00:00')")


def test_upgrade_from_empty_creates_the_three_tables_with_composite_pk_and_fks(empty_db):
    applied = migrate.upgrade(MIGRATIONS_DIR, target="0003_course_enrolled_count")

    assert applied == ["0001_students_courses", "0002_student_courses",
                       "0003_course_enrolled_count"]
    assert set(empty_db.get_tables()) == {"students", "courses", "student_courses",
                                          "schema_migration"}
    assert set(empty_db.get_primary_keys("student_courses")) == {"student_id", "course_id"}
    rules = fk_delete_rules(empty_db, "student_courses")
    assert rules == {"student_id": ("students", "CASCADE"), "course_id": ("courses", "CASCADE")}
    indexed = {tuple(i.columns) for i in empty_db.get_indexes("student_courses")}
    assert ("course_id",) in indexed


def test_later_migrations_add_accounts_and_history_beside_the_junction(empty_db):
    assert migrate.upgrade(MIGRATIONS_DIR) == ALL_MIGRATIONS
    assert {"users", "user_sessions", "api_tokens", "login_failures",
            "enrollment_events", *TERM_TABLES} <= set(empty_db.get_tables())
    assert migrate.downgrade(MIGRATIONS_DIR, to=3) == ALL_MIGRATIONS[:2:-1]
    assert set(empty_db.get_tables()) == {"students", "courses", "student_courses",
                                          "schema_migration"}


def test_upgrade_twice_applies_nothing_the_second_time(empty_db):
    migrate.upgrade(MIGRATIONS_DIR)
    assert migrate.upgrade(MIGRATIONS_DIR) == []
    assert all(applied for _, applied in migrate.status(MIGRATIONS_DIR))


def test_students_and_courses_survive_junction_down_and_up_unchanged(empty_db):
    migrate.upgrade(MIGRATIONS_DIR)
    seed_rows(empty_db)
    enroll_raw(empty_db, [(1, 1), (2, 1)])
    students_before = rows(empty_db, "students", STUDENT_COLUMNS)
    courses_before = rows(empty_db, "courses", COURSE_COLUMNS)

    reverted = migrate.downgrade(MIGRATIONS_DIR, to=1)

    assert reverted == ALL_MIGRATIONS[:0:-1]  # everything after 0001, newest first
    assert set(empty_db.get_tables()) == {"students", "courses", "schema_migration"}
    assert rows(empty_db, "students", STUDENT_COLUMNS) == students_before
    assert rows(empty_db, "courses", COURSE_COLUMNS) == courses_before

    migrate.upgrade(MIGRATIONS_DIR)
    assert rows(empty_db, "students", STUDENT_COLUMNS) == students_before
    assert rows(empty_db, "courses", COURSE_COLUMNS) == courses_before
    assert rows(empty_db, "student_courses", "student_id") == []


def test_downgrade_without_target_reverts_only_the_last(empty_db):
    migrate.upgrade(MIGRATIONS_DIR, target="0003_course_enrolled_count")
    assert migrate.downgrade(MIGRATIONS_DIR) == ["0003_course_enrolled_count"]
    assert migrate.downgrade(MIGRATIONS_DIR, to=2) == []
    assert migrate.downgrade(MIGRATIONS_DIR, to=0) == ["0002_student_courses",
                                                        "0001_students_courses"]
    assert migrate.downgrade(MIGRATIONS_DIR) == []
    assert empty_db.get_tables() == ["schema_migration"]


REBUILD_STUDENTS = textwrap.dedent('''
    """Test-only: change a column type of students (a full table rebuild on SQLite)."""
    from peewee import TextField

    def up(migrator, db):
        migrator.migrate(migrator.alter_column_type("students", "name", TextField()))

    def down(migrator, db):
        pass
''')


def test_junction_rows_survive_a_later_students_table_rebuild(empty_db, tmp_path):
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "0099_rebuild_students.py").write_text(REBUILD_STUDENTS)
    migrate.upgrade(MIGRATIONS_DIR)  # the real ones first, then data, then the rebuild
    seed_rows(empty_db)
    enroll_raw(empty_db, [(1, 1), (1, 2), (2, 1)])
    junction_before = rows(empty_db, "student_courses", "student_id, course_id, enrolled_at")

    assert migrate.upgrade(str(migrations)) == ["0099_rebuild_students"]

    assert rows(empty_db, "student_courses",
                "student_id, course_id, enrolled_at") == junction_before
    if isinstance(empty_db, SqliteDatabase):
        assert empty_db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        assert empty_db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert fk_delete_rules(empty_db, "student_courses")["student_id"] == ("students", "CASCADE")
    assert rows(empty_db, "courses", "code, enrolled_count") == [("ART-101", 1), ("MATH-101", 2)]


def test_primary_key_rejects_a_duplicate_enrollment(empty_db):
    migrate.upgrade(MIGRATIONS_DIR)
    seed_rows(empty_db)
    enroll_raw(empty_db, [(1, 1)])
    with pytest.raises(IntegrityError):
        with empty_db.atomic():
            enroll_raw(empty_db, [(1, 1)])
    assert rows(empty_db, "student_courses", "student_id, course_id") == [(1, 1)]


def test_an_enrollment_of_a_missing_student_is_rejected(empty_db):
    migrate.upgrade(MIGRATIONS_DIR)
    seed_rows(empty_db)
    with pytest.raises(IntegrityError):
        with empty_db.atomic():
            enroll_raw(empty_db, [(99, 1)])


def test_deleting_a_student_removes_its_enrollments_and_no_course(empty_db):
    migrate.upgrade(MIGRATIONS_DIR)
    seed_rows(empty_db)
    enroll_raw(empty_db, [(1, 1), (1, 2), (2, 1)])

    empty_db.execute_sql("DELETE FROM students WHERE id = 1")

    assert rows(empty_db, "student_courses", "student_id, course_id") == [(2, 1)]
    assert rows(empty_db, "courses", "id, enrolled_count") == [(1, 1), (2, 0)]


def test_status_lists_pending_then_applied(empty_db):
    assert [applied for _, applied in migrate.status(MIGRATIONS_DIR)] == [None] * len(ALL_MIGRATIONS)
    migrate.upgrade(MIGRATIONS_DIR)
    names = [name for name, applied in migrate.status(MIGRATIONS_DIR) if applied]
    assert names == ALL_MIGRATIONS
    assert db.obj is empty_db


REBUILD_COURSES = REBUILD_STUDENTS.replace('"students", "name"', '"courses", "title"')


def test_a_courses_rebuild_keeps_the_seat_count_triggers(empty_db, tmp_path):
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "0099_rebuild_courses.py").write_text(REBUILD_COURSES)
    migrate.upgrade(MIGRATIONS_DIR)
    seed_rows(empty_db)
    enroll_raw(empty_db, [(1, 1)])

    migrate.upgrade(str(migrations))
    enroll_raw(empty_db, [(2, 1)])

    assert rows(empty_db, "courses", "code, enrolled_count") == [("ART-101", 0), ("MATH-101", 2)]


def test_a_migration_that_orphans_rows_is_reported_on_sqlite(tmp_path):
    empty_db = use_database(f"sqlite:///{tmp_path / 'orphans.db'}")
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "0099_orphan.py").write_text(
        "def up(migrator, db):\n    db.execute_sql('DELETE FROM courses')\n")
    migrate.upgrade(MIGRATIONS_DIR)
    seed_rows(empty_db)
    enroll_raw(empty_db, [(1, 1)])
    with pytest.raises(migrate.ForeignKeyViolation):
        migrate.upgrade(str(migrations))
    release(empty_db)


def test_waitlists_arrive_and_leave_without_touching_enrollments_or_their_history(empty_db):
    migrate.upgrade(MIGRATIONS_DIR, target="0005_enrollment_events")
    seed_rows(empty_db)
    enroll_raw(empty_db, [(1, 1)])
    empty_db.execute_sql("INSERT INTO enrollment_events (student_id, course_id, action, "
                         "actor_name, at) VALUES (1, 1, 'enroll', 'system', "
                         "'2026-02-01 10:00:00')")
    migrate.upgrade(MIGRATIONS_DIR)
    assert {"waitlist_entries", "outbox"} <= set(empty_db.get_tables())
    assert fk_delete_rules(empty_db, "waitlist_entries") == {
        "course_id": ("courses", "CASCADE"), "student_id": ("students", "CASCADE"),
        "added_by_id": ("users", "SET NULL")}
    empty_db.execute_sql("INSERT INTO waitlist_entries (course_id, student_id, position, "
                         "added_at) VALUES (1, 2, 1, '2026-02-02 10:00:00')")
    with pytest.raises(IntegrityError):
        with empty_db.atomic():
            empty_db.execute_sql("INSERT INTO waitlist_entries (course_id, student_id, "
                                 "position, added_at) VALUES (1, 2, 2, '2026-02-02 10:00:00')")
    # enrolling a waiting student ends the wait, in the same statement (the trigger)
    enroll_raw(empty_db, [(2, 1)])
    assert rows(empty_db, "waitlist_entries", "student_id") == []
    empty_db.execute_sql("INSERT INTO enrollment_events (student_id, course_id, action, "
                         "actor_name, at) VALUES (2, 1, 'promote', 'system', "
                         "'2026-02-03 10:00:00'), (1, 2, 'waitlist_add', 'system', "
                         "'2026-02-03 10:00:00')")

    assert migrate.downgrade(MIGRATIONS_DIR, to=8) == ALL_MIGRATIONS[:7:-1]  # 0009 and on

    assert not {"waitlist_entries", "outbox"} & set(empty_db.get_tables())
    assert rows(empty_db, "enrollment_events", "student_id, course_id, action") == [
        (1, 1, "enroll"), (2, 1, "enroll")]
    assert rows(empty_db, "student_courses", "student_id, course_id") == [(1, 1), (2, 1)]
    enroll_raw(empty_db, [(1, 2)])  # the trigger went with its table
    assert rows(empty_db, "courses", "id, enrolled_count") == [(1, 2), (2, 1)]


def test_accounts_migration_names_existing_tokens_blank_and_rolls_back(empty_db):
    migrate.upgrade(MIGRATIONS_DIR, target="0005_enrollment_events")
    empty_db.execute_sql("INSERT INTO users (email, name, role, password_hash, active, created_at) "
                         "VALUES ('r@school.test', 'R', 'registrar', 'x', TRUE, '2026-01-02')")
    empty_db.execute_sql("INSERT INTO api_tokens (token_hash, user_id, created_at) "
                         "VALUES ('abc', 1, '2026-01-02')")
    migrate.upgrade(MIGRATIONS_DIR, target="0010_accounts")
    assert rows(empty_db, "api_tokens", "token_hash, name") == [("abc", "")]
    assert "set_password_links" in empty_db.get_tables()
    migrate.downgrade(MIGRATIONS_DIR, to=5)
    assert "set_password_links" not in empty_db.get_tables()
    assert rows(empty_db, "api_tokens", "token_hash, user_id") == [("abc", 1)]


# Terms, meetings, prerequisites, override reasons (0006-0008) ----------------------------

OLD_TABLES = {  # every table before 0006, with its columns as 0005 left them
    "students": STUDENT_COLUMNS,
    "courses": COURSE_COLUMNS + ", enrolled_count",
    "student_courses": "student_id, course_id, enrolled_at",
    "users": "id, email, name, role, password_hash, active, created_at",
    "enrollment_events": "id, student_id, course_id, action, actor_id, actor_name, "
                         "request_id, at",
}


def seed_before_terms(database):
    seed_rows(database)
    enroll_raw(database, [(1, 1), (1, 2), (2, 1)])
    database.execute_sql("INSERT INTO users (email, name, role, password_hash, active, "
                         "created_at) VALUES ('r@example.edu', 'Rita', 'registrar', 'x', "
                         "TRUE, '2026-01-01 00:00:00')")
    database.execute_sql("INSERT INTO enrollment_events (student_id, course_id, action, "
                         "actor_id, actor_name, request_id, at) VALUES "
                         "(1, 1, 'enroll', 1, 'Rita', 'req-1', '2026-02-01 10:00:00'), "
                         "(2, 1, 'enroll', NULL, 'system', NULL, '2026-02-01 10:00:01')")


def old_rows(database):
    return {table: rows(database, table, columns) for table, columns in OLD_TABLES.items()}


def assert_foreign_keys_sound(database):
    if isinstance(database, SqliteDatabase):
        assert database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_terms_migrations_keep_every_old_row_up_and_down(empty_db):
    migrate.upgrade(MIGRATIONS_DIR, target="0005_enrollment_events")
    seed_before_terms(empty_db)
    before = old_rows(empty_db)

    assert migrate.upgrade(MIGRATIONS_DIR) == ALL_MIGRATIONS[5:]

    assert old_rows(empty_db) == before
    assert rows(empty_db, "courses", "term_id") == [(None,), (None,)]  # no term: as before
    assert rows(empty_db, "enrollment_events", "override_reason") == [(None,), (None,)]
    assert TERM_TABLES <= set(empty_db.get_tables())

    assert migrate.downgrade(MIGRATIONS_DIR, to=5) == ALL_MIGRATIONS[:4:-1]

    assert old_rows(empty_db) == before
    assert not TERM_TABLES & set(empty_db.get_tables())
    assert "term_id" not in {c.name for c in empty_db.get_columns("courses")}
    assert_foreign_keys_sound(empty_db)
    # the rebuilt courses table still cascades, counts seats and refuses duplicate codes
    assert fk_delete_rules(empty_db, "student_courses")["course_id"] == ("courses", "CASCADE")
    enroll_raw(empty_db, [(2, 2)])
    assert rows(empty_db, "courses", "code, enrolled_count") == [("ART-101", 2), ("MATH-101", 2)]
    with pytest.raises(IntegrityError), empty_db.atomic():
        empty_db.execute_sql("INSERT INTO courses (code, title, created_at, enrolled_count) "
                             "VALUES ('ART-101', 'Again', '2026-01-01', 0)")
    assert migrate.upgrade(MIGRATIONS_DIR) == ALL_MIGRATIONS[5:]


def add_term(database, code, starts_on="2026-09-01", ends_on="2026-12-18"):
    database.execute_sql("INSERT INTO terms (code, name, starts_on, ends_on) "
                         f"VALUES ('{code}', '{code}', '{starts_on}', '{ends_on}')")
    return database.execute_sql(f"SELECT id FROM terms WHERE code = '{code}'").fetchone()[0]


def add_course(database, code, term_id):
    term = "NULL" if term_id is None else term_id
    database.execute_sql("INSERT INTO courses (code, title, created_at, enrolled_count, "
                         f"term_id) VALUES ('{code}', 'Title', '2026-01-01', 0, {term})")


def test_a_code_is_unique_within_a_term_and_among_courses_without_one(empty_db):
    migrate.upgrade(MIGRATIONS_DIR)
    fall, spring = add_term(empty_db, "FALL"), add_term(empty_db, "SPRING", "2027-01-11",
                                                        "2027-05-28")
    for term in (fall, spring, None):  # one MATH-101 per term, and one with no term
        add_course(empty_db, "MATH-101", term)
    for term in (fall, None):
        with pytest.raises(IntegrityError), empty_db.atomic():
            add_course(empty_db, "MATH-101", term)
    assert rows(empty_db, "courses", "code") == [("MATH-101",)] * 3


@pytest.mark.parametrize("statement", [
    "INSERT INTO terms (code, name, starts_on, ends_on) "
    "VALUES ('BACKWARDS', 'x', '2026-12-18', '2026-09-01')",
    "INSERT INTO course_meetings (course_id, weekdays, start_minute, end_minute) "
    "VALUES (1, 1, 600, 600)",                         # start must be before end
    "INSERT INTO course_meetings (course_id, weekdays, start_minute, end_minute) "
    "VALUES (1, 0, 540, 600)",                         # at least one day
    "INSERT INTO course_meetings (course_id, weekdays, start_minute, end_minute) "
    "VALUES (1, 1, 1380, 1500)",                       # within one day
    "INSERT INTO course_prerequisites (course_id, group_number, required_code) "
    "VALUES (1, 0, 'ART-101')",
    "DELETE FROM terms",                               # a term that still has courses
])
def test_the_schema_refuses_impossible_terms_meetings_and_prerequisites(empty_db, statement):
    migrate.upgrade(MIGRATIONS_DIR)
    seed_rows(empty_db)
    empty_db.execute_sql("UPDATE courses SET term_id = %d" % add_term(empty_db, "FALL"))
    with pytest.raises(IntegrityError), empty_db.atomic():
        empty_db.execute_sql(statement)


def test_deleting_a_course_deletes_its_meetings_and_prerequisites(empty_db):
    migrate.upgrade(MIGRATIONS_DIR)
    seed_rows(empty_db)
    empty_db.execute_sql("INSERT INTO course_meetings (course_id, weekdays, start_minute, "
                         "end_minute, room) VALUES (1, 5, 540, 600, 'B12'), (2, 2, 540, 600, NULL)")
    empty_db.execute_sql("INSERT INTO course_prerequisites VALUES (1, 1, 'ART-101')")
    empty_db.execute_sql("DELETE FROM courses WHERE id = 1")
    assert rows(empty_db, "course_meetings", "course_id") == [(2,)]
    assert rows(empty_db, "course_prerequisites", "course_id") == []


def test_rolling_back_terms_is_refused_while_a_code_is_in_two_terms(empty_db):
    migrate.upgrade(MIGRATIONS_DIR)
    add_course(empty_db, "MATH-101", add_term(empty_db, "FALL"))
    add_course(empty_db, "MATH-101", add_term(empty_db, "SPRING", "2027-01-11", "2027-05-28"))
    migrate.downgrade(MIGRATIONS_DIR, to=6)

    with pytest.raises(Exception, match="MATH-101"):
        migrate.downgrade(MIGRATIONS_DIR)

    assert [name for name, applied in migrate.status(MIGRATIONS_DIR) if applied][-1] == \
        "0006_terms"
    assert rows(empty_db, "courses", "code, term_id") == [("MATH-101", 1), ("MATH-101", 2)]


# Import jobs (0012) -------------------------------------------------------------------

def test_import_jobs_arrive_and_leave_without_touching_other_rows(empty_db):
    migrate.upgrade(MIGRATIONS_DIR, target="0010_accounts")
    seed_before_terms(empty_db)
    before = old_rows(empty_db)

    assert migrate.upgrade(MIGRATIONS_DIR, target="0012_import_jobs")[-1] == "0012_import_jobs"

    assert fk_delete_rules(empty_db, "import_jobs") == {"created_by_id": ("users", "SET NULL")}
    empty_db.execute_sql("INSERT INTO import_jobs (created_by_id, created_at, filename, "
                         "stored_path, dry_run, strict, allow_removals, status) VALUES "
                         "(1, '2026-12-01 10:00:00', 'b.zip', '/x/b.zip', TRUE, FALSE, FALSE, "
                         "'queued')")
    assert rows(empty_db, "import_jobs", "status, progress, report, needs_removal_confirmation"
                ) == [("queued", 0, None, False)]
    assert old_rows(empty_db) == before

    assert migrate.downgrade(MIGRATIONS_DIR, to=11) == ["0012_import_jobs"]

    assert "import_jobs" not in empty_db.get_tables()
    assert old_rows(empty_db) == before
    assert_foreign_keys_sound(empty_db)


# Student name keys (0013) ---------------------------------------------------------------

def test_name_keys_are_computed_for_existing_students_and_roll_back_cleanly(empty_db):
    migrate.upgrade(MIGRATIONS_DIR, target="0010_accounts")
    empty_db.execute_sql("INSERT INTO students (name, email, student_number, created_at) VALUES "
                         "('Anders Ångström', 'a@example.edu', 'S1', '2026-01-02 03:04:05'), "
                         "('Łukasiewicz, Jan', 'j@example.edu', NULL, '2026-01-03 03:04:05'), "
                         "('Plato', 'p@example.edu', NULL, '2026-01-04 03:04:05')")
    enroll_raw(empty_db, [])
    before = rows(empty_db, "students", STUDENT_COLUMNS)
    migrate.upgrade(MIGRATIONS_DIR, target="0012_import_jobs")

    assert migrate.upgrade(MIGRATIONS_DIR, target="0013_student_name_keys") == [
        "0013_student_name_keys"]

    keys = rows(empty_db, "students", "id, search_key, sort_key")
    assert [key for _, key, _ in keys] == [
        "anders angstrom|angstrom, anders|angstrom anders",
        "jan lukasiewicz|lukasiewicz, jan|lukasiewicz jan", "plato"]
    # the frozen copy in the migration agrees with the app's folding today
    assert keys == [(sid, *name_keys(name).values()) for sid, name, *_ in before]
    ordered = empty_db.execute_sql("SELECT name FROM students ORDER BY sort_key, id").fetchall()
    assert ordered == [("Anders Ångström",), ("Łukasiewicz, Jan",), ("Plato",)]
    assert ("sort_key", "id") in {tuple(i.columns) for i in empty_db.get_indexes("students")}
    assert rows(empty_db, "students", STUDENT_COLUMNS) == before

    assert migrate.downgrade(MIGRATIONS_DIR) == ["0013_student_name_keys"]
    assert rows(empty_db, "students", STUDENT_COLUMNS) == before
    assert not {"search_key", "sort_key"} & {c.name for c in empty_db.get_columns("students")}
    assert_foreign_keys_sound(empty_db)


SOURCED_TABLES = ("terms", "students", "courses", "student_courses")


def test_oneroster_migration_keeps_rows_allows_no_email_and_long_codes_and_rolls_back(empty_db):
    migrate.upgrade(MIGRATIONS_DIR, target="0010_accounts")
    seed_before_terms(empty_db)
    add_term(empty_db, "FALL")
    before = old_rows(empty_db)

    assert migrate.upgrade(MIGRATIONS_DIR, target="0011_oneroster") == ["0011_oneroster"]

    assert old_rows(empty_db) == before
    for table in SOURCED_TABLES:
        assert {r[0] for r in rows(empty_db, table, "sourced_id")} == {None}
    assert_foreign_keys_sound(empty_db)
    # the rebuilt students table still cascades to the junction and keeps email unique
    assert fk_delete_rules(empty_db, "student_courses")["student_id"] == ("students", "CASCADE")
    empty_db.execute_sql("INSERT INTO students (name, email, created_at, sourced_id) VALUES "
                         "('Pupil One', NULL, '2026-01-01', 'u-1'), "
                         "('Pupil Two', NULL, '2026-01-01', 'u-2')")
    with pytest.raises(IntegrityError), empty_db.atomic():
        empty_db.execute_sql("INSERT INTO students (name, email, created_at) "
                             "VALUES ('Again', 'ada@example.edu', '2026-01-01')")
    with pytest.raises(IntegrityError), empty_db.atomic():
        empty_db.execute_sql("INSERT INTO students (name, email, created_at, sourced_id) "
                             "VALUES ('Dup', NULL, '2026-01-01', 'u-1')")
    long_code = "Phys 100 - 1 " + "x" * 40
    add_course(empty_db, long_code, None)
    empty_db.execute_sql("UPDATE student_courses SET sourced_id = 'e-1' "
                         "WHERE student_id = 1 AND course_id = 1")
    with pytest.raises(IntegrityError), empty_db.atomic():
        empty_db.execute_sql("UPDATE student_courses SET sourced_id = 'e-1' "
                             "WHERE student_id = 2 AND course_id = 1")

    with pytest.raises(Exception, match="without an email.*longer than 32"):
        migrate.downgrade(MIGRATIONS_DIR, to=10)
    assert rows(empty_db, "students", "id, sourced_id") == [(1, None), (2, None), (3, "u-1"),
                                                           (4, "u-2")]

    empty_db.execute_sql("DELETE FROM students WHERE email IS NULL")
    empty_db.execute_sql("DELETE FROM courses WHERE LENGTH(code) > 32")
    assert migrate.downgrade(MIGRATIONS_DIR, to=10) == ["0011_oneroster"]

    after = old_rows(empty_db)  # (an UPDATE may move a row on Postgres: compare sorted)
    assert {t: sorted(r) for t, r in after.items()} == {t: sorted(r) for t, r in before.items()}
    for table in SOURCED_TABLES:
        assert "sourced_id" not in {c.name for c in empty_db.get_columns(table)}
    assert_foreign_keys_sound(empty_db)
    with pytest.raises(IntegrityError), empty_db.atomic():
        empty_db.execute_sql("INSERT INTO students (name, email, created_at) "
                             "VALUES ('No mail', NULL, '2026-01-01')")
    assert migrate.upgrade(MIGRATIONS_DIR, target="0011_oneroster") == ["0011_oneroster"]


# Seat counts by statement (0014) -------------------------------------------------------

def counts(database):
    return rows(database, "courses", "code, enrolled_count")


def exercise_counts(database):
    """Many rows in one statement, a move, deletes and cascades: the counts follow each."""
    database.execute_sql("INSERT INTO courses (code, title, capacity, created_at) VALUES "
                         "('PE-101', 'Sport', NULL, '2026-01-02 00:00:00')")
    database.execute_sql("INSERT INTO student_courses (student_id, course_id, enrolled_at) "
                         "SELECT s.id, c.id, '2026-02-01 10:00:00' FROM students s, courses c")
    assert counts(database) == [("ART-101", 2), ("MATH-101", 2), ("PE-101", 2)]
    database.execute_sql("DELETE FROM student_courses WHERE course_id = 2 AND student_id = 1")
    database.execute_sql("UPDATE student_courses SET course_id = 2 WHERE course_id = 3 "
                         "AND student_id = 1")
    assert counts(database) == [("ART-101", 2), ("MATH-101", 2), ("PE-101", 1)]
    database.execute_sql("UPDATE student_courses SET enrolled_at = '2026-03-01 10:00:00'")
    assert counts(database) == [("ART-101", 2), ("MATH-101", 2), ("PE-101", 1)]
    database.execute_sql("DELETE FROM students WHERE id = 2")
    assert counts(database) == [("ART-101", 1), ("MATH-101", 1), ("PE-101", 0)]
    database.execute_sql("DELETE FROM student_courses")
    assert counts(database) == [("ART-101", 0), ("MATH-101", 0), ("PE-101", 0)]


def test_seat_counts_follow_many_row_statements_and_survive_rolling_back(empty_db):
    migrate.upgrade(MIGRATIONS_DIR, target="0013_student_name_keys")
    seed_rows(empty_db)
    enroll_raw(empty_db, [(1, 1), (2, 1)])

    assert migrate.upgrade(MIGRATIONS_DIR) == ["0014_statement_level_counts"]
    assert counts(empty_db) == [("ART-101", 0), ("MATH-101", 2)]
    empty_db.execute_sql("DELETE FROM student_courses")
    exercise_counts(empty_db)

    assert migrate.downgrade(MIGRATIONS_DIR) == ["0014_statement_level_counts"]
    empty_db.execute_sql("DELETE FROM courses WHERE code = 'PE-101'")
    enroll_raw(empty_db, [(1, 2)])
    assert counts(empty_db) == [("ART-101", 1), ("MATH-101", 0)]
