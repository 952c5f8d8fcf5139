"""Create the student_courses junction: composite PK (student_id, course_id), cascading FKs."""
import datetime

from peewee import AutoField, CompositeKey, DateTimeField, ForeignKeyField, Model


def _frozen_junction(db):
    # Stubs of the referenced tables: only their ids matter here.
    class Student(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "students"

    class Course(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "courses"

    class StudentCourse(Model):
        student = ForeignKeyField(Student, on_delete="CASCADE")
        course = ForeignKeyField(Course, on_delete="CASCADE", index=True)
        enrolled_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            database = db
            table_name = "student_courses"
            primary_key = CompositeKey("student", "course")

    return StudentCourse


def up(migrator, db):
    db.create_tables([_frozen_junction(db)])


def down(migrator, db):
    # Drops only the junction: students and courses keep every row.
    db.drop_tables([_frozen_junction(db)])
