"""Why a registrar overrode a refusal (a clash, a missing prerequisite, a full course):
kept on the history event of the enrollment the override let through; NULL otherwise."""
from peewee import CharField


def up(migrator, db):
    migrator.migrate(migrator.add_column("enrollment_events", "override_reason",
                                         CharField(max_length=500, null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("enrollment_events", "override_reason"))
