"""Benchmark databases: made once with `flask gen-data`, cached in bench/.data/, and
copied fresh for each run (the scenarios write)."""
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from webapp.db import db, make_database
from webapp.models import Course, Student, StudentCourse
from webapp.rules import enrollment, terms
from webapp.rules.schedule import meetings_of

DATA_DIR = Path(__file__).resolve().parent / ".data"
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
    def cached(self):
        return DATA_DIR / (f"{self.students}s-{self.courses}c-{self.enrollments}e-"
                           f"{self.terms}t-seed{self.seed}.db")


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


def working_copy(dataset):
    """A fresh copy of the cached file to run against; returns its sqlite:/// URL."""
    target = DATA_DIR / f"work-{dataset.name}.db"
    for old in DATA_DIR.glob(target.name + "*"):
        old.unlink()
    shutil.copyfile(ensure_cached(dataset), target)
    return f"sqlite:///{target}"


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
            return {"student": student.id, "enrolled_course": keep[0], "toggle_course": toggle}
    finally:
        database.close()
