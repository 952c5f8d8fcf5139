"""What the registrar's desk shows for one term: how full each course is, the full courses
and who waits for them, the students in no course of the term, and the school's latest
changes, and the latest import jobs. Each is one query, whatever the number of courses or
students (no Flask here).

A term is given by its id, or None for the courses that belong to no term.
"""
from dataclasses import dataclass

from peewee import JOIN

from ..db import fetch_all
from ..models import ImportJob, Seats, User, WaitlistEntry

# The students-without-a-course list on the page; its CSV has them all.
SHOWN_STUDENTS = 50


@dataclass(slots=True)
class CourseFill(Seats):
    """A course of the term with how full it is, its queue's length and who is next."""
    id: int
    code: str
    title: str
    capacity: int | None
    enrolled_count: int
    waiting: int
    next_student_id: int | None
    next_student_name: str | None
    next_since: object

    @property
    def fill_percent(self):
        """Enrolled as a whole percentage of capacity (may pass 100 after an override),
        None when the course has no limit."""
        if self.capacity is None:
            return None
        return round(100 * self.enrolled_count / self.capacity)


def _term_clause(alias, term_id):
    """`alias.term_id = ?` (with its parameter), or IS NULL for the no-term view."""
    if term_id is None:
        return f"{alias}.term_id IS NULL", []
    return f"{alias}.term_id = ?", [term_id]


def course_fill(term_id):
    """The term's courses, fullest first (share of capacity, then code); courses with no
    limit last, by code. One query: the queue's length and its first student ride along."""
    where, params = _term_clause("c", term_id)
    rows = fetch_all(f"""SELECT c.id, c.code, c.title, c.capacity, c.enrolled_count,
                                (SELECT COUNT(*) FROM waitlist_entries q
                                 WHERE q.course_id = c.id),
                                n.student_id, s.name, n.added_at
                         FROM courses c
                         LEFT JOIN waitlist_entries n ON n.id = (
                             SELECT w.id FROM waitlist_entries w WHERE w.course_id = c.id
                             ORDER BY w.position, w.id LIMIT 1)
                         LEFT JOIN students s ON s.id = n.student_id
                         WHERE {where}
                         ORDER BY c.code, c.id""", *params)
    to_time = WaitlistEntry.added_at.python_value
    courses = [CourseFill(*row[:8], to_time(row[8])) for row in rows]
    return sorted(courses, key=lambda c: (c.capacity is None,
                                          -(c.enrolled_count / c.capacity) if c.capacity else 0))


def full_courses(fill):
    """The full courses among `course_fill`'s rows (no extra query), fullest first."""
    return [course for course in fill if course.is_full]


@dataclass(slots=True)
class UnenrolledStudents:
    """Students in no course of the term: the first `limit` by family name and how many in all."""
    rows: list
    total: int


def students_without_course(term_id, limit=SHOWN_STUDENTS):
    """Students enrolled in no course of the term (for the no-term view: in no course
    without a term), by family name; `limit` None for all of them. One query (the total rides
    along as a window count)."""
    where, params = _term_clause("c", term_id)
    rows = fetch_all(f"""SELECT s.id, s.name, s.email, s.student_number, COUNT(*) OVER ()
                         FROM students s
                         WHERE NOT EXISTS (
                             SELECT 1 FROM student_courses sc
                             JOIN courses c ON c.id = sc.course_id
                             WHERE sc.student_id = s.id AND {where})
                         ORDER BY s.sort_key, s.id{" LIMIT ?" if limit else ""}""",
                     *params, *([limit] if limit else []))
    return UnenrolledStudents([StudentRow(*row[:4]) for row in rows],
                              rows[0][4] if rows else 0)


@dataclass(slots=True)
class StudentRow:
    id: int
    name: str
    email: str
    student_number: str | None


LATEST_JOBS = 5


def latest_import_jobs(limit=LATEST_JOBS):
    """The newest OneRoster import jobs first, each with `.uploaded_by` (the uploader's
    name, None when unknown). One query."""
    return list(ImportJob.select(ImportJob, User.name.alias("uploaded_by"))
                .join(User, JOIN.LEFT_OUTER, on=(ImportJob.created_by == User.id))
                .order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
                .limit(limit).objects())
