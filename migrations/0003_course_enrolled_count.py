"""Keep courses.enrolled_count in step with student_courses, in the database itself.

Seats left is shown for every course on every student page; counting a million
junction rows per page is too slow, so each course carries its count. Triggers
(not application code) maintain it, so cascaded deletes and bulk loads stay exact.
"""
from peewee import SQL, IntegerField, SqliteDatabase

SQLITE_TRIGGERS = [
    """CREATE TRIGGER student_courses_count_insert AFTER INSERT ON student_courses
       BEGIN UPDATE courses SET enrolled_count = enrolled_count + 1 WHERE id = NEW.course_id; END""",
    """CREATE TRIGGER student_courses_count_delete AFTER DELETE ON student_courses
       BEGIN UPDATE courses SET enrolled_count = enrolled_count - 1 WHERE id = OLD.course_id; END""",
    """CREATE TRIGGER student_courses_count_update AFTER UPDATE OF course_id ON student_courses
       BEGIN
         UPDATE courses SET enrolled_count = enrolled_count - 1 WHERE id = OLD.course_id;
         UPDATE courses SET enrolled_count = enrolled_count + 1 WHERE id = NEW.course_id;
       END""",
]

POSTGRES_TRIGGERS = [
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

SQLITE_DROP = [f"DROP TRIGGER IF EXISTS student_courses_count_{op}"
               for op in ("insert", "delete", "update")]
POSTGRES_DROP = ["DROP TRIGGER IF EXISTS student_courses_count ON student_courses",
                 "DROP FUNCTION IF EXISTS student_courses_count()"]


def up(migrator, db):
    migrator.migrate(migrator.add_column("courses", "enrolled_count",
                                         IntegerField(default=0, constraints=[SQL("DEFAULT 0")])))
    db.execute_sql("UPDATE courses SET enrolled_count = "
                   "(SELECT COUNT(*) FROM student_courses WHERE course_id = courses.id)")
    for statement in SQLITE_TRIGGERS if isinstance(db, SqliteDatabase) else POSTGRES_TRIGGERS:
        db.execute_sql(statement)


def down(migrator, db):
    for statement in SQLITE_DROP if isinstance(db, SqliteDatabase) else POSTGRES_DROP:
        db.execute_sql(statement)
    migrator.migrate(migrator.drop_column("courses", "enrolled_count"))
