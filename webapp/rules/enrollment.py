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
from .conflicts import conflict_messages, find_conflicts

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


class EnrollmentConflicts(EnrollmentError):
    """Schedule clashes or missing prerequisites (rules/conflicts.py), each listed, and
    the courses that are also full; a registrar's Override lets the change through."""
    def __init__(self, conflicts, full_course_ids=()):
        by_code = {}
        for conflict in conflicts:
            by_code.setdefault(conflict.code, []).append(conflict)
        super().__init__("; ".join(f"{code}: {'; '.join(conflict_messages(found))}"
                                   for code, found in by_code.items()))
        self.conflicts = list(conflicts)
        self.full_course_ids = sorted(full_course_ids)


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


_COURSE_FIELDS = ("id", "code", "title", "capacity", "enrolled_count", "term_id")
# Whether a course has meetings or prerequisites: without either it can conflict with
# nothing, and the conflict check (a query) is skipped.
_HAS_RULES = """CASE WHEN EXISTS (SELECT 1 FROM course_meetings WHERE course_id = courses.id)
                  OR EXISTS (SELECT 1 FROM course_prerequisites WHERE course_id = courses.id)
                THEN 1 ELSE 0 END"""


def _lock_courses(course_ids, lock=True):
    """{id: Course} for the ids that exist, each with `.has_rules` (meetings or
    prerequisites), row-locked on Postgres so capacity checks serialise (SQLite's BEGIN
    IMMEDIATE already holds the write lock)."""
    if not course_ids:
        return {}
    rows = fetch_all(f"SELECT {', '.join(_COURSE_FIELDS)}, {_HAS_RULES} FROM courses "
                     f"WHERE id IN ({placeholders(len(course_ids))}) ORDER BY id"
                     + ("" if is_sqlite() or not lock else " FOR UPDATE"), *course_ids)
    courses = {}
    for *fields, has_rules in rows:
        course = courses[fields[0]] = Course(**dict(zip(_COURSE_FIELDS, fields)))
        course.has_rules = bool(has_rules)
    return courses


def _conflicts(student_ids, new_ids, courses, removed=()):
    """find_conflicts, unless no course being added has meetings or prerequisites."""
    if not any(courses[cid].has_rules for cid in new_ids):
        return []
    return find_conflicts(student_ids, new_ids, removed)


def _allowed(conflicts, full, override):
    """Raise EnrollmentConflicts or CourseFull unless `override` allows them; returns the
    course ids the override let through (their events carry its reason)."""
    if conflicts and override is None:
        raise EnrollmentConflicts(conflicts, [c.id for c in full])
    if full and not (override and override.over_capacity):
        raise CourseFull([c.id for c in full], [c.code for c in full])
    return {c.course_id for c in conflicts} | {c.id for c in full}


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


def change_enrollments(student_id, add=(), remove=(), override=None):
    """Add and remove a student's courses in one all-or-nothing transaction.

    Removing a course the student is not in is a no-op; adding one they are in keeps
    the existing row and its enrolled_at. Raises StudentNotFound, UnknownCourses (all
    unknown ids), ConflictingChange, EnrollmentConflicts (every clash and missing
    prerequisite of the courses added, given the ones removed) or CourseFull (every
    course that lacks seats). An `override` (conflicts.Override) lets conflicts through,
    and full courses too when it says `over_capacity`; its reason goes on the events of
    the courses it let in. `result.courses` holds the touched courses with their counts
    after the change.
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
        full = [courses[cid] for cid in new if courses[cid].seats_left == 0]
        overridden = _allowed(_conflicts([student_id], new, courses, removed), full,
                              override)
        _delete_enrollments(student_id, removed)
        _insert_enrollments((student_id, cid) for cid in new)
        events = audit.record([(UNENROLL, student_id, cid) for cid in removed]
                              + [(ENROLL, student_id, cid,
                                  override.reason if cid in overridden else None)
                                 for cid in new])
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


def preview_conflicts(student_id, add=(), remove=()):
    """What change_enrollments(student_id, add, remove) would refuse, read without
    writing: (conflicts, the full courses being added, {id: Course} of `add`)."""
    add, remove = _unique(add), _unique(remove)
    courses = _lock_courses(add, lock=False)
    current, _ = _student_and_current(student_id, add + remove)
    new = [cid for cid in add if cid in courses and cid not in current]
    removed = [cid for cid in remove if cid in current]
    full = [courses[cid] for cid in new if courses[cid].seats_left == 0]
    return _conflicts([student_id], new, courses, removed), full, courses


def enroll(student_id, course_ids, override=None):
    """Enroll a student in every course of `course_ids` (idempotent, all or nothing;
    `override` as for change_enrollments).

    A repeat that would change nothing is answered from one read, without taking the
    write lock (so retries and re-syncs do not queue behind real writers)."""
    course_ids = _unique(course_ids)
    current = student_enrollments(student_id)
    if {e.id for e in current}.issuperset(course_ids):
        return EnrollmentResult(student_id, already_enrolled=course_ids,
                                course_count=len(current), enrollments=current)
    return change_enrollments(student_id, add=course_ids, override=override)


def unenroll(student_id, course_id):
    """Remove one enrollment and return its history event (with its id, for Undo);
    raises StudentNotFound or NotEnrolled when there is none."""
    with write_transaction():
        deleted = (StudentCourse.delete()
                   .where(StudentCourse.student == student_id,
                          StudentCourse.course == course_id)
                   .execute())
        if not deleted:
            _require_student(student_id)
            raise NotEnrolled(student_id, course_id)
        (event,) = audit.record([(UNENROLL, student_id, course_id)])
        _promote_waiting([course_id])
    return event


def enroll_students(course_id, student_ids):
    """Enroll many students in one course, atomically; refuses if seats are short for all,
    or (EnrollmentConflicts, naming each student) if it would clash with a student's
    courses or a student lacks a prerequisite."""
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
        conflicts = _conflicts(new, [course_id], {course_id: course})
        if conflicts:
            raise EnrollmentConflicts(conflicts)
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
    """The course's students, by family name, each with `.enrolled_at`. Raises
    CourseNotFound."""
    if not Course.select(Course.id).where(Course.id == course_id).exists():
        raise CourseNotFound(course_id)
    return list(Student.select(Student, StudentCourse.enrolled_at)
                .join(StudentCourse)
                .where(StudentCourse.course == course_id)
                .order_by(*Student.by_name())
                .objects())

