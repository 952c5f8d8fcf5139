"""Postgres: courses.enrolled_count kept by statement-level triggers (transition tables)
instead of a row-level one.

Each row-level update of a course's count adds a row version that the next update in the
same transaction has to walk past, so a statement enrolling many students in the same
courses slowed down with the square of the rows per course (a OneRoster import of 100k
enrollments: 110 s, against 4 s on SQLite). Now each statement updates each course it
touched once, by the count of its rows. SQLite keeps its row-level triggers (cheap there).
Rolling back restores migration 0003's trigger; counts are unchanged either way.
"""
from peewee import SqliteDatabase

FUNCTION = """CREATE FUNCTION student_courses_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      UPDATE courses c SET enrolled_count = c.enrolled_count + d.n
        FROM (SELECT course_id, COUNT(*) AS n FROM new_rows GROUP BY course_id) d
       WHERE c.id = d.course_id;
    ELSIF TG_OP = 'DELETE' THEN
      UPDATE courses c SET enrolled_count = c.enrolled_count - d.n
        FROM (SELECT course_id, COUNT(*) AS n FROM old_rows GROUP BY course_id) d
       WHERE c.id = d.course_id;
    ELSE
      UPDATE courses c SET enrolled_count = c.enrolled_count + d.n
        FROM (SELECT course_id, SUM(n) AS n FROM (
                SELECT course_id, 1 AS n FROM new_rows
                UNION ALL SELECT course_id, -1 FROM old_rows) moved
              GROUP BY course_id HAVING SUM(n) <> 0) d
       WHERE c.id = d.course_id;
    END IF;
    RETURN NULL;
  END $$"""

STATEMENT_TRIGGERS = [
    FUNCTION,
    """CREATE TRIGGER student_courses_count_insert AFTER INSERT ON student_courses
       REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION student_courses_count_rows()""",
    """CREATE TRIGGER student_courses_count_delete AFTER DELETE ON student_courses
       REFERENCING OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION student_courses_count_rows()""",
    """CREATE TRIGGER student_courses_count_update AFTER UPDATE ON student_courses
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION student_courses_count_rows()""",
]
DROP_STATEMENT_TRIGGERS = [
    *(f"DROP TRIGGER IF EXISTS student_courses_count_{op} ON student_courses"
      for op in ("insert", "delete", "update")),
    "DROP FUNCTION IF EXISTS student_courses_count_rows()",
]

# migration 0003's row-level trigger, as it was (a migration never imports another)
ROW_TRIGGER = [
    """CREATE FUNCTION student_courses_count() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP IN ('DELETE', 'UPDATE') THEN
           UPDATE courses SET enrolled_count = enrolled_count - 1 WHERE id = OLD.course_id;
         END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') THEN
           UPDATE courses SET enrolled_count = enrolled_count + 1 WHERE id = NEW.course_id;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER student_courses_count
       AFTER INSERT OR DELETE OR UPDATE OF course_id ON student_courses
       FOR EACH ROW EXECUTE FUNCTION student_courses_count()""",
]
DROP_ROW_TRIGGER = ["DROP TRIGGER IF EXISTS student_courses_count ON student_courses",
                    "DROP FUNCTION IF EXISTS student_courses_count()"]


def _run(db, statements):
    if not isinstance(db, SqliteDatabase):
        for statement in statements:
            db.execute_sql(statement)


def up(migrator, db):
    _run(db, DROP_ROW_TRIGGER + STATEMENT_TRIGGERS)


def down(migrator, db):
    _run(db, DROP_STATEMENT_TRIGGERS + ROW_TRIGGER)
