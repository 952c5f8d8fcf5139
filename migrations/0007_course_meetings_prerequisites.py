"""When a course meets, and which courses it needs first.

course_meetings: one row per weekly meeting pattern. `weekdays` is a bit set (Monday 1,
Tuesday 2, … Sunday 64), so "shares a day" is one `&` in SQL; times are minutes after
midnight in the school's local time (09:30 = 570), so overlap is plain integer comparison
on both databases.
course_prerequisites: every group must be met; one code of a group meets it.
"""
from peewee import (
    SQL,
    AutoField,
    CharField,
    CompositeKey,
    ForeignKeyField,
    IntegerField,
    Model,
)


def _frozen_tables(db):
    class BaseModel(Model):
        class Meta:
            database = db

    class Course(BaseModel):
        id = AutoField()

        class Meta:
            table_name = "courses"

    class CourseMeeting(BaseModel):
        id = AutoField()
        course = ForeignKeyField(Course, on_delete="CASCADE", index=True)
        weekdays = IntegerField(constraints=[SQL("CHECK (weekdays BETWEEN 1 AND 127)")])
        start_minute = IntegerField()
        end_minute = IntegerField()
        room = CharField(max_length=32, null=True)

        class Meta:
            table_name = "course_meetings"
            constraints = [SQL("CHECK (0 <= start_minute AND start_minute < end_minute "
                               "AND end_minute <= 1440)")]

    class CoursePrerequisite(BaseModel):
        course = ForeignKeyField(Course, on_delete="CASCADE")
        group_number = IntegerField(constraints=[SQL("CHECK (group_number >= 1)")])
        required_code = CharField(max_length=32)

        class Meta:
            table_name = "course_prerequisites"
            primary_key = CompositeKey("course", "group_number", "required_code")

    return [CourseMeeting, CoursePrerequisite]


def up(migrator, db):
    db.create_tables(_frozen_tables(db))


def down(migrator, db):
    db.drop_tables(_frozen_tables(db))
