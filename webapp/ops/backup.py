"""Backups of the SQLite database with SQLite's online backup API.

The backup API copies a consistent snapshot even while the server keeps writing: with
WAL, the copy reads one snapshot and writers are not blocked. Postgres has its own tools
(pg_dump / pg_restore); the commands refuse it and print how to use them.
"""
import os
import sqlite3
from pathlib import Path

from ..db import db, is_sqlite

POSTGRES_HELP = """This database is PostgreSQL: use its own tools, which also work while the server runs.
  back up:  pg_dump --format=custom --file=registrar.dump "$DATABASE_URL"
  restore:  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" registrar.dump"""


class BackupError(RuntimeError):
    """A backup or restore was refused; nothing was changed."""


def check_file(path):
    """Raise BackupError unless `path` is a sound Registrar SQLite database."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            raise BackupError(f"{path}: integrity check failed: {integrity}")
        if connection.execute("PRAGMA foreign_key_check").fetchone():
            raise BackupError(f"{path}: foreign key check failed")
        tables = {name for (name,) in
                  connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"schema_migration", "students", "courses", "student_courses"} <= tables:
            raise BackupError(f"{path} is not a Registrar database")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from exc
    finally:
        connection.close()


def _require_sqlite():
    if not is_sqlite():
        raise BackupError(POSTGRES_HELP)


def backup(path):
    """Copy the live database to a new file at `path` (refuses to overwrite one)."""
    _require_sqlite()
    target = Path(path)
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    partial = target.with_name(target.name + ".partial")
    destination = sqlite3.connect(partial)
    try:
        with db.connection_context():
            db.connection().backup(destination)
    finally:
        destination.close()
    try:
        check_file(partial)
    except BackupError:
        partial.unlink()
        raise
    os.replace(partial, target)  # a file at `path` is always a complete backup
    return target


def restore(path):
    """Replace the live database's content with the backup at `path`.

    The backup is checked first; the copy runs through the backup API into the open
    database, so it is one all-or-nothing write."""
    _require_sqlite()
    source_path = Path(path)
    if not source_path.is_file():
        raise BackupError(f"{source_path}: no such file")
    check_file(source_path)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        with db.connection_context():
            source.backup(db.connection())
    finally:
        source.close()
