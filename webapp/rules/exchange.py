"""Set-based writes for the OneRoster importer (webapp/oneroster): rows in batches, with
history and waitlist promotion the same as any other enrollment change.

Call these inside one write transaction (the importer holds it). Capacity and conflicts
are not checked here: a OneRoster class has no capacity and the sending system already
decided who is in which class, so an import is like a registrar's over-capacity override
(documented in README, "OneRoster exchange"); seats freed by removals go to the waitlists.
"""
from ..db import insert_rows, placeholders, run_sql
from ..models import utcnow
from . import audit
from .audit import ENROLL, UNENROLL
from .enrollment import _lock_courses
from .waitlist import promote_waiting

BATCH = 500


def batches(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def create_rows(table, columns, rows):
    """Insert `rows` (tuples in `columns` order, `sourced_id` among them); returns
    {sourced_id: new id}."""
    returned = insert_rows(table, columns, rows, "RETURNING id, sourced_id")
    return {sourced: row_id for row_id, sourced in returned}


def update_rows(table, columns, rows):
    """UPDATE each row (tuples: the `columns` values, then the id)."""
    sets = ", ".join(f"{column} = ?" for column in columns)
    for row in rows:
        run_sql(f"UPDATE {table} SET {sets} WHERE id = ?", *row)


def delete_students(student_ids):
    """Delete students (their enrollments and waits go with them); the seats they held go
    to the waitlists."""
    for batch in batches(student_ids):
        marks = placeholders(len(batch))
        course_ids = sorted({cid for (cid,) in run_sql(
            f"SELECT DISTINCT course_id FROM student_courses WHERE student_id IN ({marks})",
            *batch).fetchall()})
        _lock_courses(course_ids)
        run_sql(f"DELETE FROM students WHERE id IN ({marks})", *batch)
        promote_waiting(course_ids)


def delete_courses(course_ids):
    """Delete courses (enrollments, meetings, waitlists and history go with them)."""
    for batch in batches(course_ids):
        run_sql(f"DELETE FROM courses WHERE id IN ({placeholders(len(batch))})", *batch)


def delete_terms_without_courses(term_ids):
    """Delete the terms that no course belongs to; returns how many went."""
    gone = 0
    for batch in batches(term_ids):
        gone += run_sql(f"DELETE FROM terms WHERE id IN ({placeholders(len(batch))}) AND NOT "
                        "EXISTS (SELECT 1 FROM courses WHERE term_id = terms.id)",
                        *batch).rowcount
    return gone


def enroll_selected(source, *params):
    """Enroll each row of `source` (SQL after FROM, naming student_id, course_id and
    sourced_id columns, with its WHERE; `params` for its placeholders), one history event
    each, written by the database: rows staged in SQL (webapp/oneroster/staging.py)."""
    run_sql("INSERT INTO student_courses (student_id, course_id, enrolled_at, sourced_id) "
            f"SELECT student_id, course_id, ?, sourced_id FROM {source}", utcnow(), *params)
    audit.record_rows(ENROLL, source, *params)


def link_enrollments(rows):
    """Give existing enrollments (student_id, course_id, sourced_id) their sourced id."""
    for student_id, course_id, sourced in rows:
        run_sql("UPDATE student_courses SET sourced_id = ? WHERE student_id = ? "
                "AND course_id = ?", sourced, student_id, course_id)


def remove_enrollments(pairs):
    """Unenroll (student_id, course_id) pairs, one history event each; the freed seats
    go to the waitlists."""
    pairs = list(pairs)
    course_ids = sorted({c for _, c in pairs})
    _lock_courses(course_ids)
    for batch in batches(pairs):
        run_sql("DELETE FROM student_courses WHERE "
                + " OR ".join(["(student_id = ? AND course_id = ?)"] * len(batch)),
                *[v for pair in batch for v in pair])
        audit.record_many([(UNENROLL, s, c) for s, c in batch])
    promote_waiting(course_ids)
