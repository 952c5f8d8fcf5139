"""OneRoster import jobs (issue 14): one row per upload run by the job consumer.

`import_jobs`: who started it and when, the uploaded file's name and where it is stored
(instance/imports/), the modes (dry_run, strict, allow_removals), where it stands
(status queued|running|done|failed, progress 0..1), and what came of it: the report as
the JSON object of API.md, its exit code and whether the bulk removal guard stopped it,
or the error that ended it, and when it finished.

A new table only: up creates it, down drops it; no other table is touched.
"""
from peewee import (
    SQL,
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def _frozen_jobs(db):
    class BaseModel(Model):
        class Meta:
            database = db

    class User(BaseModel):
        id = AutoField()

        class Meta:
            table_name = "users"

    class ImportJob(BaseModel):
        id = AutoField()
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=True,
                                     column_name="created_by_id")
        created_at = DateTimeField(index=True)
        filename = CharField(max_length=255)
        stored_path = CharField(max_length=1024)
        dry_run = BooleanField()
        strict = BooleanField()
        allow_removals = BooleanField()
        status = CharField(max_length=16, constraints=[SQL("DEFAULT 'queued'")])
        progress = FloatField(default=0, constraints=[SQL("DEFAULT 0")])
        report = TextField(null=True)
        exit_code = IntegerField(null=True)
        needs_removal_confirmation = BooleanField(default=False,
                                                  constraints=[SQL("DEFAULT FALSE")])
        error = TextField(null=True)
        started_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)

        class Meta:
            table_name = "import_jobs"

    return ImportJob


def up(migrator, db):
    db.create_tables([_frozen_jobs(db)])


def down(migrator, db):
    db.drop_tables([_frozen_jobs(db)])
