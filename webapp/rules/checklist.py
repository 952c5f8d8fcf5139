"""What the student page reads: the student, and the courses its checklist shows.
(The rows' markup is pages/checklist_rows.py.)

The page is the busiest one, so both reads are hand-written SQL (db.fetch_all) into light
rows rather than peewee queries and model instances, and neither grows with the catalogue:
the checklist shows one term's courses (or those with no term): the student's own plus
the first SHOWN_COURSES others by code (optionally only those matching a filter), with the
number of courses there are to find.
"""
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from ..db import fetch_all
from ..models import Seats, Student
from .schedule import meeting_text
from .waitlist import place_sql

# A school's whole catalogue (the 200-course checklist of issue 7) fits on the page; a
# district's 2,000 courses would not, so beyond this the filter finds the rest.
SHOWN_COURSES = 200

_STUDENT_FIELDS = ("id", "name", "email", "student_number", "created_at")


def student_with_course_count(student_id):
    """The Student with `.course_count` (all their courses, whatever the page shows), or
    None. One query."""
    rows = fetch_all(f"""SELECT {", ".join(_STUDENT_FIELDS)},
                                (SELECT COUNT(*) FROM student_courses WHERE student_id = s.id)
                         FROM students s WHERE s.id = ?""", student_id)
    if not rows:
        return None
    *fields, course_count = rows[0]
    student = Student.from_row(_STUDENT_FIELDS, fields)
    student.course_count = course_count
    return student


@dataclass(slots=True)
class ChecklistRow(Seats):
    """One course as the checklist shows it (what the row template reads of a Course), with
    its waitlist: how many wait, and the student's place (None: not waiting)."""
    id: int
    code: str
    title: str
    capacity: int | None
    enrolled_count: int
    enrolled: bool
    waiting: int = 0
    waitlist_position: int | None = None
    meets: str = ""   # its meetings in words, when the page has read them

    def fields(self):
        """Its values, in the order ChecklistRow takes them: all its row's markup shows."""
        return (self.id, self.code, self.title, self.capacity, self.enrolled_count,
                self.enrolled, self.waiting, self.waitlist_position, self.meets)


# The columns of a ChecklistRow for course `c`, student `sc` (enrolled) and `w` (waiting).
_ROW_COLUMNS = f"""c.id, c.code, c.title, c.capacity, c.enrolled_count, sc.student_id,
                   (SELECT COUNT(*) FROM waitlist_entries q WHERE q.course_id = c.id),
                   CASE WHEN w.id IS NULL THEN NULL ELSE {place_sql("w")} END"""
_ROW_JOINS = """LEFT JOIN student_courses sc ON sc.course_id = c.id AND sc.student_id = ?
                LEFT JOIN waitlist_entries w ON w.course_id = c.id AND w.student_id = ?"""


def _row(cid, code, title, capacity, count, enrolled, waiting, place):
    return ChecklistRow(cid, code, title, capacity, count, enrolled is not None, waiting, place)


def checklist_row(student_id, course_id):
    """The one row of `course_id` on `student_id`'s checklist, or None if the course is
    gone (what a toggle or a waitlist button answers with). One query."""
    rows = fetch_all(f"SELECT {_ROW_COLUMNS} FROM courses c {_ROW_JOINS} WHERE c.id = ?",
                     student_id, student_id, course_id)
    return _row(*rows[0]) if rows else None


@dataclass
class Checklist:
    rows: list        # ChecklistRow, by code
    total: int        # courses matching `q` (every course when q is empty)
    q: str = ""

    @property
    def complete(self):
        """Whether every matching course is shown (else the page says how to find others)."""
        return len(self.rows) >= self.total


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def checklist(student_id, q="", limit=SHOWN_COURSES, term_id=None):
    """The courses the student page lists for `student_id` in the term `term_id` (None:
    the courses with no term), in one query: every such course they are in or wait for
    plus the first `limit` by code, all narrowed to those whose code or title contains `q`
    (any case), each with its meetings in words (`.meets`), with how many courses of the
    term match in all. (The meetings came from the week's query, which then read every
    listed course a second time: 0.3 ms of a 2.3 ms page.)

    Cost stays flat as the catalogue grows: an index walk (term, code) for the first
    `limit` codes, the student's own rows by primary key, and a COUNT."""
    q = (q or "").strip()
    in_term = "{t}term_id IS NULL" if term_id is None else "{t}term_id = ?"
    term_params = () if term_id is None else (term_id,)
    match, match_params = "", ()
    if q:
        pattern = f"%{_escape_like(q.lower())}%"
        match = ("AND (LOWER({t}code) LIKE ? ESCAPE '\\' "
                 "OR LOWER({t}title) LIKE ? ESCAPE '\\')")
        match_params = (pattern, pattern)
    where = f"WHERE {in_term} {match}"  # of courses: "{t}" is "" or the alias "c."
    in_courses, in_shown = where.format(t=""), where.format(t="c.")
    where_params = (*term_params, *match_params)
    # The student's own courses of every term, by their primary key, then kept to the
    # term: joined to the term's courses instead, SQLite walked all of them (1,000 courses
    # of the large data set: 0.5 ms each arm) to probe the student's few.
    rows = fetch_all(f"""
        SELECT {_ROW_COLUMNS}, (SELECT COUNT(*) FROM courses {in_courses}),
               m.weekdays, m.start_minute, m.end_minute, m.room
        FROM (SELECT id FROM (SELECT id FROM courses {in_courses} ORDER BY code LIMIT ?)
                             AS first_courses
              UNION
              SELECT course_id FROM student_courses WHERE student_id = ?
              UNION
              SELECT course_id FROM waitlist_entries WHERE student_id = ?) AS shown
        JOIN courses c ON c.id = shown.id
        {_ROW_JOINS}
        LEFT JOIN course_meetings m ON m.course_id = c.id
        {in_shown}
        ORDER BY c.code, m.start_minute, m.id""",
        *where_params, *where_params, limit, student_id, student_id, student_id, student_id,
        *where_params)
    # No row means no course matches at all: the first arm would have found one.
    total = rows[0][_TOTAL] if rows else 0
    return Checklist(_rows_with_meetings(rows), total, q)


_TOTAL = 8  # the checklist query's column after _ROW_COLUMNS; its meeting's follow


def _rows_with_meetings(rows):
    """ChecklistRows from the checklist query's rows (one per course and meeting, by code
    then start), each with its meetings in words."""
    shown = []
    for _, lines in groupby(rows, key=itemgetter(0)):
        lines = list(lines)
        row = _row(*lines[0][:_TOTAL])
        row.meets = "; ".join([meeting_text(*line[_TOTAL + 1:]) for line in lines
                               if line[_TOTAL + 1] is not None])
        shown.append(row)
    return shown
