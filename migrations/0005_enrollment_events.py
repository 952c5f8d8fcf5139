"""Enrollment history: one row per effective enroll/unenroll, written with the change.

The actor's name is copied into the row so history stays readable if the account goes.
"""
from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, Model


def _frozen_events(db):
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

    class EnrollmentEvent(BaseModel):
        id = AutoField()
        student = ForeignKeyField(Student, on_delete="CASCADE")
        course = ForeignKeyField(Course, on_delete="CASCADE")
        action = CharField(max_length=16)
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        actor_name = CharField(max_length=200)
        request_id = CharField(max_length=64, null=True)
        at = DateTimeField()

        class Meta:
            table_name = "enrollment_events"
            indexes = ((("student", "at"), False), (("course", "at"), False))

    return EnrollmentEvent


def up(migrator, db):
    db.create_tables([_frozen_events(db)])


def down(migrator, db):
    db.drop_tables([_frozen_events(db)])
