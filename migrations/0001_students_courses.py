"""Create the students and courses tables."""
import datetime

from peewee import SQL, AutoField, CharField, DateTimeField, IntegerField, Model


def _frozen_models(db):
    # Frozen copies of the tables as this migration creates them: never import webapp.models.
    class Student(Model):
        id = AutoField()
        name = CharField(max_length=200)
        email = CharField(max_length=254, unique=True)
        student_number = CharField(max_length=32, unique=True, null=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            database = db
            table_name = "students"

    class Course(Model):
        id = AutoField()
        code = CharField(max_length=32, unique=True)
        title = CharField(max_length=200)
        capacity = IntegerField(null=True,
                                constraints=[SQL("CHECK (capacity IS NULL OR capacity >= 1)")])
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            database = db
            table_name = "courses"

    return [Student, Course]


def up(migrator, db):
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(_frozen_models(db))
