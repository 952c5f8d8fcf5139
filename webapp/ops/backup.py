"""Backups of the SQLite database with SQLite's online backup API.

The backup API copies a consistent snapshot even while the server keeps writing: with
WAL, the copy reads one snapshot and writers are not blocked. Postgres has its own tools
(pg_dump / pg_restore); the commands refuse it and print how to use them.
"""
import os
import sqlite3
import tempfile
from pathlib import Path

from ..db import db, is_sqlite

POSTGRES_HELP = """This database is PostgreSQL: use its own tools, which also work while the server runs.
  back up:  pg_dump --format=custom --file=registrar.dump "$DATABASE_URL"
  restore:  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" registrar.dump"""


class BackupError(RuntimeError):
    """A backup or restore was refused; nothing was changed."""


def check_file(path):
    """Raise BackupError unless `path` is a sound Registrar SQLite database."""
    connection = _open_read_only(path)
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


def _open_read_only(path):
    """as_uri() escapes the path: in a bare `file:{path}` URI a '#' or '?' in a folder
    name would end the path early, and SQLite would check (or create) another file."""
    return sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)


def _require_sqlite():
    if not is_sqlite():
        raise BackupError(POSTGRES_HELP)


def backup(path):
    """Copy the live database to a new file at `path` (refuses to overwrite one)."""
    _require_sqlite()
    target = Path(path)
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    # mkstemp makes a new file, mode 0600, with O_EXCL | O_NOFOLLOW under a name nobody
    # can guess, so the copy never writes through a symlink planted in its way.
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                       suffix=".partial")
    os.close(handle)
    try:
        destination = sqlite3.connect(partial)
        try:
            with db.connection_context():
                db.connection().backup(destination)
            # One self-contained file: in WAL mode (copied from the live database) even
            # the read-only check would leave -wal and -shm files beside it.
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
        check_file(partial)
        os.replace(partial, target)  # a file at `path` is always a complete backup
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
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
    source = _open_read_only(source_path)
    try:
        with db.connection_context():
            source.backup(db.connection())
    finally:
        source.close()
