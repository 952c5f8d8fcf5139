"""OneRoster exchange: students without email, longer course codes, sourced ids.

- `students.email` may be NULL (pupils without an address). Uniqueness stays the unique
  index on the column (NULLs never collide on either database); case-insensitivity stays
  what it was: every write lower-cases the address first.
- `courses.code` and `course_prerequisites.required_code` hold up to 64 characters (codes
  as the source writes them, `Phys 100 - 1`). SQLite does not enforce a VARCHAR length, so
  only Postgres changes the column type. Codes are no longer upper-cased on the way in, so
  "unique within a term" becomes case-insensitive in the index itself: (LOWER(code),
  COALESCE(term_id, 0)) (SQLite's LOWER folds ASCII letters only; Postgres' all).
- `sourced_id` (nullable, unique) on terms, students, courses and student_courses: the
  OneRoster sourcedId a row came from, so a re-import updates instead of duplicating and
  an export writes the same ids back. NULL = entered here by hand. The junction keeps its
  composite primary key (student_id, course_id).

Rolling back is refused, with the rows named, while a student has no email or a code is
longer than 32 characters (the old schema cannot hold them); otherwise it drops the new
columns and keeps every row.
"""
from peewee import CharField, SqliteDatabase

SOURCED_TABLES = ("terms", "students", "courses", "student_courses")
LONG_CODES = (("courses", "code"), ("course_prerequisites", "required_code"))


class CannotRollBack(RuntimeError):
    """The data no longer fits the schema before this migration."""


def _set_code_length(db, length):
    if isinstance(db, SqliteDatabase):
        return  # SQLite ignores VARCHAR(n); nothing to rebuild
    for table, column in LONG_CODES:
        db.execute_sql(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR({length})")


CODE_PER_TERM = "CREATE UNIQUE INDEX courses_code_term ON courses ({}, COALESCE(term_id, 0))"


def _code_index(db, expression):
    db.execute_sql("DROP INDEX courses_code_term")
    db.execute_sql(CODE_PER_TERM.format(expression))


def up(migrator, db):
    operations = [migrator.drop_not_null("students", "email")]
    for table in SOURCED_TABLES:
        operations.append(migrator.add_column(table, "sourced_id",
                                              CharField(max_length=255, null=True)))
        operations.append(migrator.add_index(table, ("sourced_id",), unique=True))
    migrator.migrate(*operations)
    _set_code_length(db, 64)
    _code_index(db, "LOWER(code)")


def down(migrator, db):
    problems = []
    no_email = db.execute_sql("SELECT id FROM students WHERE email IS NULL ORDER BY id "
                              "LIMIT 20").fetchall()
    if no_email:
        problems.append("students without an email (ids "
                        + ", ".join(str(i) for (i,) in no_email) + ")")
    for table, column in LONG_CODES:
        long_codes = db.execute_sql(f"SELECT DISTINCT {column} FROM {table} "
                                    f"WHERE LENGTH({column}) > 32 ORDER BY 1 LIMIT 20").fetchall()
        if long_codes:
            problems.append("codes longer than 32 characters in " + table + " ("
                            + ", ".join(code for (code,) in long_codes) + ")")
    if problems:
        raise CannotRollBack("cannot roll back the OneRoster migration: "
                             + "; ".join(problems))
    _set_code_length(db, 32)
    _code_index(db, "code")  # exact uniqueness is implied by the case-insensitive one
    operations = []
    for table in SOURCED_TABLES:
        operations.append(migrator.drop_index(table, f"{table}_sourced_id"))
        operations.append(migrator.drop_column(table, "sourced_id"))
    operations.append(migrator.add_not_null("students", "email"))
    migrator.migrate(*operations)
