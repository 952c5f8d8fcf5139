"""Enrollment rules: enroll, unenroll, capacity, idempotency, bulk. No Flask in here.

Every write is one transaction that takes the write lock first (see db.write_transaction),
checks everything, then writes all or nothing. Query counts do not grow with the number
of ids: each step is one set-based statement.
"""
from dataclasses import dataclass, field

from ..db import (fetch_all, insert_rows, is_sqlite, placeholders, run_sql,
                  write_transaction)
from ..models import Course, EnrollmentEvent, Student, StudentCourse, utcnow
from . import audit
from .audit import ENROLL, UNENROLL

MAX_IDS_PER_REQUEST = 500


class EnrollmentError(Exception):
    """Base for every refusal the service gives."""


class StudentNotFound(EnrollmentError):
    def __init__(self, student_id):
        super().__init__(f"student {student_id} not found")
        self.student_id = student_id


class CourseNotFound(EnrollmentError):
    def __init__(self, course_id):
        super().__init__(f"course {course_id} not found")
        self.course_id = course_id


class UnknownCourses(EnrollmentError):
    def __init__(self, course_ids):
        super().__init__("unknown course ids: " + ", ".join(map(str, course_ids)))
        self.course_ids = sorted(course_ids)


class UnknownStudents(EnrollmentError):
    def __init__(self, student_ids):
        super().__init__("unknown student ids: " + ", ".join(map(str, student_ids)))
        self.student_ids = sorted(student_ids)


class CourseFull(EnrollmentError):
    def __init__(self, course_ids, codes=()):
        names = ", ".join(codes) if codes else ", ".join(map(str, course_ids))
        super().__init__(f"not enough seats left in {names}")
        self.course_ids = sorted(course_ids)
        self.codes = list(codes)


class NotEnrolled(EnrollmentError):
    def __init__(self, student_id, course_id):
        super().__init__(f"student {student_id} is not enrolled in course {course_id}")
        self.student_id = student_id
        self.course_id = course_id


class NotUndoable(EnrollmentError):
    """The event is not an unenrollment of this student (only those can be undone)."""
    def __init__(self, event_id):
        super().__init__(f"history entry {event_id} cannot be undone")
        self.event_id = event_id


class ConflictingChange(EnrollmentError):
    def __init__(self, course_ids):
        super().__init__("course ids both added and removed: " + ", ".join(map(str, course_ids)))
        self.course_ids = sorted(course_ids)


@dataclass
class EnrollmentResult:
    """What one student-centred change did."""
    student_id: int
    enrolled: list = field(default_factory=list)
    already_enrolled: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    courses: dict = field(default_factory=dict, repr=False)
    course_count: int = 0  # the student's number of courses after the change
    events: list = field(default_factory=list, repr=False)  # the history rows written
    enrollments: list | None = field(default=None, repr=False)  # all of them, when known


@dataclass
class BulkResult:
    """What a course-centred bulk enrollment did."""
    course_id: int
    enrolled: list = field(default_factory=list)
    already_enrolled: list = field(default_factory=list)


def _unique(ids):
    """Duplicate ids count once; order of first appearance is kept."""
    return list(dict.fromkeys(ids))


def _require_student(student_id):
    if not Student.select(Student.id).where(Student.id == student_id).exists():
        raise StudentNotFound(student_id)


_COURSE_FIELDS = ("id", "code", "title", "capacity", "enrolled_count")


def _lock_courses(course_ids):
    """{id: Course} for the ids that exist, row-locked on Postgres so capacity checks
    serialise (SQLite's BEGIN IMMEDIATE already holds the write lock)."""
    if not course_ids:
        return {}
    rows = fetch_all(f"SELECT {', '.join(_COURSE_FIELDS)} FROM courses "
                     f"WHERE id IN ({placeholders(len(course_ids))}) ORDER BY id"
                     + ("" if is_sqlite() else " FOR UPDATE"), *course_ids)
    return {row[0]: Course(**dict(zip(_COURSE_FIELDS, row))) for row in rows}


def _student_and_current(student_id, course_ids):
    """One query: raise StudentNotFound, or return (which of `course_ids` they are in,
    how many courses they have in all).

    Must run after _lock_courses so concurrent writers see each other's rows."""
    in_courses = (f"AND sc.course_id IN ({placeholders(len(course_ids))})" if course_ids
                  else "AND 0 = 1")
    rows = fetch_all(f"""SELECT sc.course_id, (SELECT COUNT(*) FROM student_courses e
                                               WHERE e.student_id = s.id)
                         FROM students s
                         LEFT JOIN student_courses sc ON sc.student_id = s.id {in_courses}
                         WHERE s.id = ?""", *course_ids, student_id)
    if not rows:
        raise StudentNotFound(student_id)
    return {course_id for course_id, _ in rows if course_id is not None}, rows[0][1]


def _insert_enrollments(pairs):
    """Insert (student_id, course_id) pairs; the PK makes a repeat a no-op."""
    now = utcnow()
    insert_rows("student_courses", ("student_id", "course_id", "enrolled_at"),
                [(s, c, now) for s, c in pairs],
                "ON CONFLICT (student_id, course_id) DO NOTHING")


def _delete_enrollments(student_id, course_ids):
    if course_ids:
        run_sql(f"DELETE FROM student_courses WHERE student_id = ? "
                f"AND course_id IN ({placeholders(len(course_ids))})", student_id, *course_ids)


def _promote_waiting(course_ids):
    """Give the seats just freed to the waitlists (rules/waitlist.py, which builds on this
    module, hence the import here)."""
    from .waitlist import promote_waiting
    return promote_waiting(course_ids)


def change_enrollments(student_id, add=(), remove=()):
    """Add and remove a student's courses in one all-or-nothing transaction.

    Removing a course the student is not in is a no-op; adding one they are in keeps
    the existing row and its enrolled_at. Raises StudentNotFound, UnknownCourses (all
    unknown ids), CourseFull (every course that lacks seats) or ConflictingChange.
    `result.courses` holds the touched courses with their counts after the change.
    """
    add, remove = _unique(add), _unique(remove)
    both = set(add) & set(remove)
    if both:
        raise ConflictingChange(both)
    with write_transaction():
        courses = _lock_courses(add + remove)
        current, count_before = _student_and_current(student_id, add + remove)
        unknown = [cid for cid in add + remove if cid not in courses]
        if unknown:
            raise UnknownCourses(unknown)
        removed = [cid for cid in remove if cid in current]
        new = [cid for cid in add if cid not in current]
        full = [cid for cid in new if courses[cid].seats_left == 0]
        if full:
            raise CourseFull(full, [courses[cid].code for cid in full])
        _delete_enrollments(student_id, removed)
        _insert_enrollments((student_id, cid) for cid in new)
        events = audit.record([(UNENROLL, student_id, cid) for cid in removed]
                              + [(ENROLL, student_id, cid) for cid in new])
        _promote_waiting(removed)
    for cid in new:
        courses[cid].enrolled_count += 1
    for cid in removed:
        courses[cid].enrolled_count -= 1
    return EnrollmentResult(student_id, enrolled=new,
                            already_enrolled=[cid for cid in add if cid in current],
                            removed=removed, courses=courses,
                            course_count=count_before + len(new) - len(removed),
                            events=events)


def enroll(student_id, course_ids):
    """Enroll a student in every course of `course_ids` (idempotent, all or nothing).

    A repeat that would change nothing is answered from one read, without taking the
    write lock (so retries and re-syncs do not queue behind real writers)."""
    course_ids = _unique(course_ids)
    current = student_enrollments(student_id)
    if {e.id for e in current}.issuperset(course_ids):
        return EnrollmentResult(student_id, already_enrolled=course_ids,
                                course_count=len(current), enrollments=current)
    return change_enrollments(student_id, add=course_ids)


def unenroll(student_id, course_id):
    """Remove one enrollment; raises StudentNotFound or NotEnrolled when there is none."""
    with write_transaction():
        deleted = (StudentCourse.delete()
                   .where(StudentCourse.student == student_id,
                          StudentCourse.course == course_id)
                   .execute())
        if not deleted:
            _require_student(student_id)
            raise NotEnrolled(student_id, course_id)
        audit.record([(UNENROLL, student_id, course_id)])
        _promote_waiting([course_id])


def enroll_students(course_id, student_ids):
    """Enroll many students in one course, atomically; refuses if seats are short for all."""
    student_ids = _unique(student_ids)
    with write_transaction():
        course = _lock_courses([course_id]).get(course_id)
        if course is None:
            raise CourseNotFound(course_id)
        known = {s.id for s in Student.select(Student.id).where(Student.id.in_(student_ids))}
        unknown = [sid for sid in student_ids if sid not in known]
        if unknown:
            raise UnknownStudents(unknown)
        current = {row.student_id for row in
                   StudentCourse.select(StudentCourse.student)
                   .where(StudentCourse.course == course_id,
                          StudentCourse.student.in_(student_ids))}
        new = [sid for sid in student_ids if sid not in current]
        if course.seats_left is not None and len(new) > course.seats_left:
            raise CourseFull([course_id], [course.code])
        _insert_enrollments((sid, course_id) for sid in new)
        audit.record([(ENROLL, sid, course_id) for sid in new])
    return BulkResult(course_id, enrolled=new,
                      already_enrolled=[sid for sid in student_ids if sid in current])


def undo_unenroll(event_id, student_id):
    """Re-enroll the student in the course an unenroll event removed them from.

    Subject to capacity like any enrollment (CourseFull), recorded as a new event;
    a no-op when they are already back in it."""
    event = (EnrollmentEvent.select()
             .where(EnrollmentEvent.id == event_id, EnrollmentEvent.student == student_id,
                    EnrollmentEvent.action == UNENROLL)
             .first())
    if event is None:
        raise NotUndoable(event_id)
    return change_enrollments(student_id, add=[event.course_id])


@dataclass(frozen=True)
class Enrollment:
    """One of a student's courses: the course's id, code and title, and when they joined."""
    id: int
    code: str
    title: str
    enrolled_at: object


def student_enrollments(student_id):
    """The student's courses, by code, as Enrollment rows. Raises StudentNotFound.

    One hand-written query (the API asks for this on every read): the student row,
    left-joined to their courses, so an unknown student and "no courses" differ."""
    rows = fetch_all("""SELECT c.id, c.code, c.title, sc.enrolled_at
                        FROM students s
                        LEFT JOIN student_courses sc ON sc.student_id = s.id
                        LEFT JOIN courses c ON c.id = sc.course_id
                        WHERE s.id = ? ORDER BY c.code""", student_id)
    if not rows:
        raise StudentNotFound(student_id)
    to_time = StudentCourse.enrolled_at.python_value
    return [Enrollment(cid, code, title, to_time(at)) for cid, code, title, at in rows
            if cid is not None]


def course_roster(course_id):
    """The course's students, by name, each with `.enrolled_at`. Raises CourseNotFound."""
    if not Course.select(Course.id).where(Course.id == course_id).exists():
        raise CourseNotFound(course_id)
    return list(Student.select(Student, StudentCourse.enrolled_at)
                .join(StudentCourse)
                .where(StudentCourse.course == course_id)
                .order_by(Student.name, Student.id)
                .objects())

