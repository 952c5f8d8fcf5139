"""Schema migrations with peewee's own runner (playhouse.migrations).

Migration files live in migrations/000N_name.py; history is in table schema_migration.
"""
from contextlib import contextmanager

from playhouse.migrations import Runner

from ..db import db, is_sqlite


class ForeignKeyViolation(RuntimeError):
    """A migration left rows that point at nothing (PRAGMA foreign_key_check)."""


def make_runner(directory):
    return Runner(db.obj, directory)


def check_foreign_keys():
    """SQLite table rebuilds run with foreign_keys off; prove they orphaned nothing."""
    if not is_sqlite():
        return
    problems = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise ForeignKeyViolation(f"foreign key check failed: {problems[:5]}")


@contextmanager
def _rebuild_safe():
    """Let SQLite table rebuilds keep the triggers that name the rebuilt table.

    peewee rebuilds a table as create-copy-drop-rename; with modern ALTER TABLE semantics
    the rename re-parses every trigger and fails on one that names the (dropped) table.
    Legacy semantics skip that check; the rename restores the original name anyway.
    """
    if not is_sqlite():
        yield
        return
    db.obj.pragma("legacy_alter_table", 1)
    try:
        yield
    finally:
        db.obj.pragma("legacy_alter_table", 0)
    check_foreign_keys()


def upgrade(directory, target=None):
    """Apply every pending migration (or up to and including `target`); returns their names."""
    with _rebuild_safe():
        return make_runner(directory).up(target)


def downgrade(directory, to=None):
    """Roll back the last migration, or every one numbered above `to` (leaving `to` applied)."""
    runner = make_runner(directory)
    applied = [m for m in runner.status() if m.applied]
    if not applied:
        return []
    if to is None:
        with _rebuild_safe():
            return runner.down()
    after = [m for m in applied if m.idx > to]
    if not after:
        return []
    with _rebuild_safe():
        return runner.down(after[0].name)


def status(directory):
    """[(name, applied_at or None)] in order."""
    return [(m.name, m.applied) for m in make_runner(directory).status()]
