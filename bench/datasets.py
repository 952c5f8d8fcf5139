"""Benchmark databases: made once with `flask gen-data`, cached, and copied fresh for each
run (the scenarios write). SQLite: a file in bench/.data/, copied. PostgreSQL: a database
`<name>_<dataset>` on the server of BENCH_DATABASE_URL, copied with CREATE DATABASE …
TEMPLATE into `<name>_work`."""
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from webapp.db import db, make_database
from webapp.models import Course, Student, StudentCourse
from webapp.rules import enrollment, terms
from webapp.rules.schedule import meetings_of

from .scenarios import MIX_STUDENTS

DATA_DIR = Path(__file__).resolve().parent / ".data"
# The newest migration's number: part of every cache name, so a cached data set made
# before a schema change is never reused (it would lack the new columns).
SCHEMA = max(p.name[:4] for p in (DATA_DIR.parent.parent / "migrations").glob("0*.py"))
FLASK = Path(sys.executable).with_name("flask")
STUDENT_COURSES = 8


@dataclass(frozen=True)
class Dataset:
    name: str
    students: int
    courses: int
    enrollments: int
    seed: int = 1
    terms: int = 2   # shaped like a school year: two terms, courses split between them

    @property
    def cache_key(self):
        return (f"{self.students}s_{self.courses}c_{self.enrollments}e_{self.terms}t_seed{self.seed}"
                f"_schema{SCHEMA}")

    @property
    def cached(self):
        return DATA_DIR / (f"{self.students}s-{self.courses}c-{self.enrollments}e-"
                           f"{self.terms}t-seed{self.seed}-schema{SCHEMA}.db")


SMALL = Dataset("small", 2_000, 200, 16_000)
LARGE = Dataset("large", 100_000, 2_000, 1_000_000)


def _flask(url, *args):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    return subprocess.run([str(FLASK), "--app", "webapp", *args], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def ensure_cached(dataset, log=print):
    """Generate the dataset's SQLite file unless it is cached already."""
    if dataset.cached.exists():
        return dataset.cached
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    partial = dataset.cached.with_suffix(".partial")
    for stale in DATA_DIR.glob(partial.name + "*"):
        stale.unlink()
    url = f"sqlite:///{partial}"
    _flask(url, "db", "upgrade")
    log(f"{dataset.name}: " + _flask(url, "gen-data", "--students", str(dataset.students),
                                     "--courses", str(dataset.courses), "--enrollments",
                                     str(dataset.enrollments), "--seed", str(dataset.seed),
                                     "--terms", str(dataset.terms)))
    with sqlite3.connect(partial) as connection:  # fold the WAL in: one file to copy
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(partial, dataset.cached)
    return dataset.cached


def working_copy(dataset, postgres_url=None):
    """A fresh copy of the cached data set to run against; returns its URL (sqlite:/// or,
    given `postgres_url`, a database on that server)."""
    if postgres_url:
        return _postgres_copy(dataset, postgres_url)
    target = DATA_DIR / f"work-{dataset.name}.db"
    for old in DATA_DIR.glob(target.name + "*"):
        old.unlink()
    shutil.copyfile(ensure_cached(dataset), target)
    return f"sqlite:///{target}"


def _with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url, *statements):
    """Run statements (CREATE/DROP DATABASE) outside a transaction, from the server's
    `postgres` database."""
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        for sql in statements:
            connection.execute(sql)


def postgres_answers(url):
    """Does the server of `url` accept a connection (to its `postgres` database)?"""
    try:
        psycopg.connect(_with_database(url, "postgres"), connect_timeout=5).close()
    except psycopg.OperationalError:
        return False
    return True


def _exists(url, name):
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (name,)).fetchone() is not None


def _postgres_copy(dataset, url):
    """Generate `<base>_<dataset>` once (the cached template), then copy it afresh."""
    base = urlsplit(url).path.lstrip("/") or "registrar_bench"
    cached, work = f"{base}_{dataset.cache_key}", f"{base}_work"
    if not _exists(url, cached):
        partial = f"{cached}_partial"
        _admin(url, f'DROP DATABASE IF EXISTS "{partial}"', f'CREATE DATABASE "{partial}"')
        partial_url = _with_database(url, partial)
        _flask(partial_url, "db", "upgrade")
        print(f"{dataset.name} (postgres): " + _flask(
            partial_url, "gen-data", "--students", str(dataset.students), "--courses",
            str(dataset.courses), "--enrollments", str(dataset.enrollments), "--seed",
            str(dataset.seed), "--terms", str(dataset.terms)), flush=True)
        with psycopg.connect(partial_url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        _admin(url, f'ALTER DATABASE "{partial}" RENAME TO "{cached}"')
    _admin(url, f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)',
           f'CREATE DATABASE "{work}" TEMPLATE "{cached}"')
    return _with_database(url, work)


def size_of(url):
    """The database's size in bytes (SQLite: file + WAL after a checkpoint; Postgres:
    pg_database_size after a VACUUM)."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM")
        return connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def row_counts(url, tables):
    """{table: rows} for `tables` (names from our own list, never from input)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///"):]) as connection:
            return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in tables}
    with psycopg.connect(url) as connection:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in tables}


def _open_courses(term_id):
    """Courses of the term with seats to spare (unlimited first), by id, none of which
    meets at the same time as another (so enrolling in all of them is not refused)."""
    courses = [c for c in Course.select().where(Course.term == term_id)
               .order_by(Course.capacity.is_null(False), Course.id)
               if c.capacity is None or c.seats_left > 1]
    meetings, chosen = meetings_of([c.id for c in courses]), []
    for course in courses:
        if not any(m.clashes_with(other) for m in meetings[course.id]
                   for taken in chosen for other in meetings[taken.id]):
            chosen.append(course)
    return chosen


def prepare_student(url):
    """Make the first student's enrollments exactly 8 courses with free seats in the term
    the student page shows first; return the ids the scenarios use."""
    database = make_database(url, pooled=False)
    db.initialize(database)
    try:
        with database.connection_context():
            student = Student.select().order_by(Student.id).first()
            current = [c for (c,) in StudentCourse.select(StudentCourse.course)
                       .where(StudentCourse.student == student.id).tuples()]
            shown = terms.default_term(terms.list_terms(), terms.today())
            wanted = [c.id for c in _open_courses(shown and shown.id)[:STUDENT_COURSES + 1]]
            keep, toggle = wanted[:STUDENT_COURSES], wanted[STUDENT_COURSES]
            enrollment.change_enrollments(student.id, add=keep,
                                          remove=[c for c in current if c not in keep])
            first = [s for (s,) in Student.select(Student.id).order_by(Student.id)
                     .limit(MIX_STUDENTS).tuples()]
            return {"student": student.id, "enrolled_course": keep[0], "toggle_course": toggle,
                    "first_students": first}
    finally:
        database.close()
