"""Waitlists and the mail outbox.

`waitlist_entries`: one row per student waiting for a course (unique per pair); `position`
orders a course's queue (the rules keep it 1..n, readers only sort by it). The junction
`student_courses` keeps meaning "enrolled", and a trigger keeps the two apart: a student
who is enrolled by any path (a promotion, a registrar, an import) stops waiting for that
course in the same statement, so nobody is ever enrolled and still waiting.

`outbox`: mail written in the same transaction as the change it announces, sent after
commit (and retried) by webapp/ops/mailer.py.

(`enrollment_events.override_reason`, which an "Enroll now" over capacity also fills, is
0008's.)

Down drops both tables and the trigger; history events of the waitlist go too, except
`promote`, which becomes `enroll` (the student was enrolled, and old code knows no other
word for it).
"""
from peewee import (AutoField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    SqliteDatabase, TextField)

SQLITE_TRIGGER = [
    """CREATE TRIGGER student_courses_end_wait AFTER INSERT ON student_courses
       BEGIN DELETE FROM waitlist_entries
             WHERE course_id = NEW.course_id AND student_id = NEW.student_id; END""",
]
POSTGRES_TRIGGER = [
    """CREATE FUNCTION student_courses_end_wait() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         DELETE FROM waitlist_entries
         WHERE course_id = NEW.course_id AND student_id = NEW.student_id;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER student_courses_end_wait AFTER INSERT ON student_courses
       FOR EACH ROW EXECUTE FUNCTION student_courses_end_wait()""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS student_courses_end_wait"]
POSTGRES_DROP = ["DROP TRIGGER IF EXISTS student_courses_end_wait ON student_courses",
                 "DROP FUNCTION IF EXISTS student_courses_end_wait()"]


def _frozen_tables(db):
    class BaseModel(Model):
        class Meta:
            database = db

    class Student(BaseModel):
        id = AutoField()

        class Meta:
            table_name = "students"

    class Course(BaseModel):
        id = AutoField()

        class Meta:
            table_name = "courses"

    class User(BaseModel):
        id = AutoField()

        class Meta:
            table_name = "users"

    class WaitlistEntry(BaseModel):
        id = AutoField()
        course = ForeignKeyField(Course, on_delete="CASCADE", index=False)
        student = ForeignKeyField(Student, on_delete="CASCADE", index=True)
        position = IntegerField()
        added_at = DateTimeField()
        added_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)

        class Meta:
            table_name = "waitlist_entries"
            indexes = ((("course", "student"), True),)

    class OutboxMessage(BaseModel):
        id = AutoField()
        recipient = CharField(max_length=254)
        subject = CharField(max_length=200)
        body = TextField()
        student = ForeignKeyField(Student, null=True, on_delete="CASCADE", index=True)
        course = ForeignKeyField(Course, null=True, on_delete="CASCADE", index=True)
        created_at = DateTimeField()
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        last_error = TextField(null=True)

        class Meta:
            table_name = "outbox"
            indexes = ((("sent_at", "next_attempt_at"), False),)

    return [WaitlistEntry, OutboxMessage]


def up(migrator, db):
    db.create_tables(_frozen_tables(db))
    for statement in SQLITE_TRIGGER if isinstance(db, SqliteDatabase) else POSTGRES_TRIGGER:
        db.execute_sql(statement)


def down(migrator, db):
    for statement in SQLITE_DROP if isinstance(db, SqliteDatabase) else POSTGRES_DROP:
        db.execute_sql(statement)
    db.drop_tables(_frozen_tables(db))
    db.execute_sql("UPDATE enrollment_events SET action = 'enroll' WHERE action = 'promote'")
    db.execute_sql("DELETE FROM enrollment_events "
                   "WHERE action IN ('waitlist_add', 'waitlist_remove')")
