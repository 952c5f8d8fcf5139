"""The database handle: one proxy, initialised by create_app from DATABASE_URL.

Connections come from a pool (SQLite and Postgres alike) so a request does not
pay for connect + pragmas every time; each request checks one out and returns it.
"""
import fcntl
import os
import sqlite3
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

from peewee import (
    DatabaseProxy,
    InterfaceError,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
)
from playhouse.db_url import parse
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from .config import PROJECT_ROOT

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "foreign_keys": 1,
    "journal_mode": "wal",
    "busy_timeout": 5000,
    # WAL + NORMAL: a committed transaction survives a process crash (kill -9);
    # only an OS crash / power loss can drop the last few commits.
    "synchronous": "normal",
    # Read the file through a shared memory map instead of copying each page into every
    # connection's own small cache: with 16 connections on a large database, pages were
    # read again and again (large/small p50 1.4-1.8x). Address space, not memory: the
    # pages are the OS page cache's, shared by every worker.
    "mmap_size": 256 * 1024 * 1024,
}


def make_database(url, pooled=True):
    """Build a peewee Database for a sqlite:/// or postgresql:// URL."""
    scheme = url.split(":", 1)[0]
    if scheme == "sqlite":
        path = url[len("sqlite:///"):]
        if path != ":memory:" and not Path(path).is_absolute():
            path = str(PROJECT_ROOT / path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _create_private(path)
        if pooled:
            database = PooledSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, max_connections=32,
                                            stale_timeout=300, check_same_thread=False)
        else:
            database = SqliteDatabase(path, pragmas=SQLITE_PRAGMAS)
        database.writers = WriterQueue(path) if path != ":memory:" else None
        return database
    if scheme in {"postgres", "postgresql"}:
        params = parse(url)
        name = params.pop("database")
        if pooled:
            return PooledPostgresqlDatabase(name, max_connections=32, stale_timeout=300,
                                            **params)
        return PostgresqlDatabase(name, **params)
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r} (use sqlite:/// or postgresql://)")


def _create_private(path):
    """Create the database file readable by its owner only (SQLite gives its -wal and -shm
    files the same mode); an existing file, or a directory in its place, is left alone."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


# Failures that mean "the database cannot answer now", not "this statement is wrong".
SQLITE_UNAVAILABLE = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR,
                      sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY}
# SQLSTATE classes: 08 connection, 53 insufficient resources, 57 operator intervention
# (shutdown, cancel), 58 system error. A lost connection has no SQLSTATE at all.
POSTGRES_UNAVAILABLE = {"08", "53", "57", "58"}


def is_unavailable(error):
    """Did the database fail to answer (down, unreachable, locked, disk full)?

    Those are answered 503 with Retry-After and logged in one line; anything else (a
    missing table, bad SQL) stays a bug with its traceback."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    driver_error = getattr(error, "orig", None)  # peewee keeps the driver's exception
    if driver_error is None:
        return False  # peewee's own complaint (not initialised …): a bug, not an outage
    if isinstance(driver_error, sqlite3.Error):
        return getattr(driver_error, "sqlite_errorcode", -1) & 0xFF in SQLITE_UNAVAILABLE
    sqlstate = getattr(driver_error, "sqlstate", None)
    return sqlstate is None or sqlstate[:2] in POSTGRES_UNAVAILABLE


class WriterQueue:
    """Queues this machine's writers to one SQLite file on a lock file, before BEGIN IMMEDIATE.

    While another process holds SQLite's write lock, SQLite's busy handler polls by
    sleeping (1, 2, 5, 10 … ms), so under load writers spend most of their time asleep
    and latency jumps. A blocking flock() hands the lock over the moment it is free.
    Threads of one process queue on a mutex first (flock is per open file, not thread).
    """

    def __init__(self, db_path):
        self.path = f"{db_path}-writers.lock"
        self.mutex = threading.Lock()
        self.fd = None

    @contextmanager
    def turn(self):
        with self.mutex:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


def is_sqlite():
    return isinstance(db.obj, SqliteDatabase)


@contextmanager
def write_transaction():
    """A write transaction that takes the write lock up front.

    SQLite: BEGIN IMMEDIATE, so two writers never deadlock upgrading a read lock, after
    waiting its turn in the WriterQueue. A nested call joins the outer transaction.
    Postgres: a plain transaction; callers lock the rows they check (FOR UPDATE).
    """
    writers = getattr(db.obj, "writers", None)
    if is_sqlite() and not db.in_transaction():
        with (writers.turn() if writers else nullcontext()), db.atomic("IMMEDIATE") as txn:
            yield txn
    else:
        with db.atomic() as txn:
            yield txn


@contextmanager
def large_page_cache(kib):
    """SQLite: a page cache of `kib` KiB on this connection meanwhile (bulk loads: the
    indexes they write into stay in memory instead of being read back page by page);
    the connection gets its own setting back after. Postgres: nothing to do."""
    if not is_sqlite():
        yield
        return
    before = db.obj.cache_size
    db.obj.cache_size = -kib
    try:
        yield
    finally:
        db.obj.cache_size = before


def run_sql(sql, *params):
    """Run hand-written SQL (placeholders written `?`) on either database; the cursor.

    Only for the statements every request runs: peewee builds SQL text afresh on each
    call, and for a one-row lookup or insert that costs more than the statement itself."""
    if db.obj.param != "?":
        sql = sql.replace("?", db.obj.param)
    return db.execute_sql(sql, params)


def placeholders(count):
    """`?, ?, …` for `count` values (run_sql adapts them to the database)."""
    return ", ".join("?" * count)


def any_of(column, values):
    """(SQL, params): `column` is one of `values`. SQLite: IN (?, …); Postgres: = ANY(?)
    with one array, so a long list is one parameter and the statement's text stays the
    same — psycopg parses the text of each new statement, and a 200-id IN list made a new
    one per page (0.7 ms of a student page's CPU)."""
    values = list(values)
    if is_sqlite():
        return f"{column} IN ({placeholders(len(values))})", values
    return f"{column} = ANY(?)", [values]


def fetch_all(sql, *params):
    return run_sql(sql, *params).fetchall()


ROWS_PER_INSERT = 500


def insert_rows(table, columns, rows, suffix=""):
    """INSERT `rows` (tuples in `columns` order), ROWS_PER_INSERT to a statement.

    `suffix` follows the VALUES (ON CONFLICT …); with a RETURNING suffix the returned
    rows come back (SQLite ≥ 3.35 and Postgres both have RETURNING)."""
    returned = []
    one_row = f"({placeholders(len(columns))})"
    for start in range(0, len(rows), ROWS_PER_INSERT):  # (peewee's chunked pads each batch)
        batch = rows[start:start + ROWS_PER_INSERT]
        cursor = run_sql(f"INSERT INTO {table} ({', '.join(columns)}) "
                         f"VALUES {', '.join([one_row] * len(batch))} {suffix}",
                         *[value for row in batch for value in row])
        if "RETURNING" in suffix:
            returned += cursor.fetchall()
    return returned
