"""Waitlists: join a full course's queue, leave it, reorder it, and promotion. No Flask here.

A course's queue is its rows in waitlist_entries, ordered by `position` (then id); shown
positions are ranks (1 = next), so a gap left by a deleted student changes nothing.

Promotion: every write that frees a seat (an unenrollment, a deleted student, a raised
capacity) calls `promote_waiting(course_ids)` inside its own transaction, after its change,
so the seat goes to the queue before anyone else can see it free: at every commit a course
is either full or has nobody waiting who could take the seat. Writes to a queue lock the
course row first (Postgres FOR UPDATE; SQLite's BEGIN IMMEDIATE holds the write lock), the
same row every seat-freeing write locks, so queue changes and promotions of one course
happen one at a time and nobody is promoted twice.
"""
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import groupby
from typing import NamedTuple

from ..db import fetch_all, insert_rows, is_sqlite, placeholders, run_sql, write_transaction
from ..models import WaitlistEntry, utcnow
from . import audit, outbox
from .audit import PROMOTE, WAITLIST_ADD, WAITLIST_REMOVE
from .conflicts import find_conflicts
from .enrollment import (CourseFull, CourseNotFound, EnrollmentError, StudentNotFound,
                         _insert_enrollments, _lock_courses, _require_student)


class AlreadyEnrolled(EnrollmentError):
    def __init__(self, student_id, course_id):
        super().__init__(f"student {student_id} is already enrolled in course {course_id}")
        self.student_id, self.course_id = student_id, course_id


class SeatsAvailable(EnrollmentError):
    """The course has free seats (None: unlimited): enroll instead of waiting."""
    def __init__(self, course_id, seats_left):
        free = "unlimited seats" if seats_left is None else f"{seats_left} free seats"
        super().__init__(f"course {course_id} has {free}: enroll instead of waiting")
        self.course_id, self.seats_left = course_id, seats_left


class NotWaiting(EnrollmentError):
    def __init__(self, student_id, course_id):
        super().__init__(f"student {student_id} is not on the waitlist of course {course_id}")
        self.student_id, self.course_id = student_id, course_id


class InvalidPosition(EnrollmentError):
    def __init__(self, position):
        super().__init__(f"position must be a whole number, 1 or more (got {position!r})")
        self.position = position


class PromotionBlocked(EnrollmentError):
    """Enrolling the student would break a rule (a clash, a missing prerequisite)."""
    def __init__(self, student_id, course_id, conflicts):
        super().__init__(f"student {student_id} cannot be enrolled in course {course_id} "
                         f"without an override")
        self.student_id, self.course_id, self.conflicts = student_id, course_id, conflicts


@dataclass(frozen=True)
class QueueChange:
    """What join or leave did: the course's code, the student's place (join), the history
    events written (none for a repeat)."""
    course_id: int
    student_id: int
    code: str
    position: int | None = None
    created: bool = True  # join: False when they were already waiting (nothing written)
    events: list = field(default_factory=list, repr=False)


@dataclass
class WaitingStudent:
    """One entry of a course's queue, as the course page and the API show it."""
    student_id: int
    name: str
    email: str | None
    position: int
    added_at: object
    added_by: str | None
    blocked_by: list = field(default_factory=list)


@dataclass(frozen=True)
class StudentWait:
    """One course a student waits for, with their place in its queue."""
    course_id: int
    code: str
    title: str
    position: int
    waiting: int
    added_at: object


@dataclass(frozen=True)
class Promotion:
    student_id: int
    course_id: int
    student_name: str
    code: str


class _Candidate(NamedTuple):
    """A waiting student as promotion reads them, with their course's seats."""
    course_id: int
    student_id: int
    capacity: int | None
    enrolled: int
    code: str
    title: str
    name: str
    email: str | None


def blocking_conflicts(course_id, student_ids):
    """{student_id: [conflict, ...]} for those of `student_ids` whom enrolling in the course
    would now make clash with their timetable or miss a prerequisite (rules/conflicts.py);
    they stay waiting.

    The one place promotion asks the enrollment conflict rules. One query."""
    blocked = {}
    for conflict in find_conflicts(student_ids, [course_id]):
        blocked.setdefault(conflict.student_id, []).append(conflict)
    return blocked


# What was promoted during the current unit of work (a web request), for the page that
# announces it and the hook that mails it after commit; None when nobody is noting.
_noted = ContextVar("registrar_promotions", default=None)


def start_noting():
    """Note promotions from here on (returns a token for stop_noting)."""
    return _noted.set([])


def stop_noting(token):
    _noted.reset(token)


def noted_promotions():
    """Promotions made since start_noting, in order ([] when nobody is noting)."""
    return list(_noted.get() or ())


def _lock_course(course_id):
    course = _lock_courses([course_id]).get(course_id)
    if course is None:
        raise CourseNotFound(course_id)
    return course


def place_sql(entry):
    """SQL: the 1-based place of waitlist row `entry` in its course's queue."""
    return (f"(SELECT COUNT(*) FROM waitlist_entries q WHERE q.course_id = {entry}.course_id "
            f"AND (q.position < {entry}.position "
            f"OR (q.position = {entry}.position AND q.id <= {entry}.id)))")


def join(course_id, student_id):
    """Put the student at the end of a full course's queue (idempotent).

    Refuses, in this order: CourseNotFound, StudentNotFound, AlreadyEnrolled, and
    SeatsAvailable while the course has a free seat. Already waiting: their place, unchanged."""
    with write_transaction():
        course = _lock_course(course_id)
        rows = fetch_all(f"""SELECT sc.student_id, w.id, {place_sql("w")},
                                    (SELECT COUNT(*) FROM waitlist_entries q WHERE q.course_id = ?),
                                    (SELECT COALESCE(MAX(position), 0) FROM waitlist_entries q
                                     WHERE q.course_id = ?)
                             FROM students s
                             LEFT JOIN student_courses sc
                               ON sc.student_id = s.id AND sc.course_id = ?
                             LEFT JOIN waitlist_entries w
                               ON w.student_id = s.id AND w.course_id = ?
                             WHERE s.id = ?""",
                         course_id, course_id, course_id, course_id, student_id)
        if not rows:
            raise StudentNotFound(student_id)
        enrolled, entry_id, rank, waiting, last = rows[0]
        if enrolled is not None:
            raise AlreadyEnrolled(student_id, course_id)
        if entry_id is not None:
            return QueueChange(course_id, student_id, course.code, rank, created=False)
        if course.seats_left != 0:
            raise SeatsAvailable(course_id, course.seats_left)
        insert_rows("waitlist_entries",
                    ("course_id", "student_id", "position", "added_at", "added_by_id"),
                    [(course_id, student_id, last + 1, utcnow(),
                      audit.current_actor().user_id)])
        events = audit.record([(WAITLIST_ADD, student_id, course_id)])
    return QueueChange(course_id, student_id, course.code, waiting + 1, events=events)


def leave(course_id, student_id):
    """Take the student off the course's queue; NotWaiting (or Course/StudentNotFound)."""
    with write_transaction():
        course = _lock_course(course_id)
        deleted = run_sql("DELETE FROM waitlist_entries WHERE course_id = ? AND student_id = ?",
                          course_id, student_id).rowcount
        if not deleted:
            _require_student(student_id)
            raise NotWaiting(student_id, course_id)
        events = audit.record([(WAITLIST_REMOVE, student_id, course_id)])
    return QueueChange(course_id, student_id, course.code, events=events)


def move(course_id, student_id, position):
    """Put a waiting student at `position` (1 = next; past the end = last) and number the
    queue 1..n again. Returns the queue (waiting_students)."""
    if isinstance(position, bool) or not isinstance(position, int) or position < 1:
        raise InvalidPosition(position)
    with write_transaction():
        _lock_course(course_id)
        order = [sid for (sid,) in fetch_all("SELECT student_id FROM waitlist_entries "
                                             "WHERE course_id = ? ORDER BY position, id",
                                             course_id)]
        if student_id not in order:
            _require_student(student_id)
            raise NotWaiting(student_id, course_id)
        order.remove(student_id)
        order.insert(min(position, len(order) + 1) - 1, student_id)
        cases = " ".join(["WHEN ? THEN ?"] * len(order))
        run_sql(f"UPDATE waitlist_entries SET position = CASE student_id {cases} END "
                f"WHERE course_id = ?",
                *[value for place, sid in enumerate(order, 1) for value in (sid, place)],
                course_id)
    return waiting_students(course_id)


def waiting_students(course_id):
    """The course's queue, next first, each with why a promotion would skip them
    (`blocked_by`, empty when nothing does). The caller knows the course exists."""
    rows = fetch_all("""SELECT w.student_id, s.name, s.email, w.added_at, u.name
                        FROM waitlist_entries w
                        JOIN students s ON s.id = w.student_id
                        LEFT JOIN users u ON u.id = w.added_by_id
                        WHERE w.course_id = ? ORDER BY w.position, w.id""", course_id)
    to_time = WaitlistEntry.added_at.python_value
    queue = [WaitingStudent(sid, name, email, place, to_time(added_at), added_by)
             for place, (sid, name, email, added_at, added_by) in enumerate(rows, 1)]
    blocked = blocking_conflicts(course_id, [entry.student_id for entry in queue]) if queue else {}
    for entry in queue:
        entry.blocked_by = blocked.get(entry.student_id, [])
    return queue


def student_waits(student_id):
    """The courses the student waits for, by code, with their place. StudentNotFound."""
    rows = fetch_all(f"""SELECT w.course_id, c.code, c.title, {place_sql("w")},
                                (SELECT COUNT(*) FROM waitlist_entries q
                                 WHERE q.course_id = w.course_id),
                                w.added_at
                         FROM students s
                         LEFT JOIN waitlist_entries w ON w.student_id = s.id
                         LEFT JOIN courses c ON c.id = w.course_id
                         WHERE s.id = ? ORDER BY c.code""", student_id)
    if not rows:
        raise StudentNotFound(student_id)
    to_time = WaitlistEntry.added_at.python_value
    return [StudentWait(cid, code, title, rank, waiting, to_time(added_at))
            for cid, code, title, rank, waiting, added_at in rows if cid is not None]


def promote_waiting(course_ids):
    """Enroll waiting students into the free seats of `course_ids`, in queue order, while
    seats remain; anyone `blocking_conflicts` names is skipped and keeps their place.

    Call inside the transaction that freed the seats, after its change, with the course
    rows locked (the seat count's UPDATE already locks them). Each promotion writes a
    `promote` event and a message to the outbox; the enrollment ends the wait (trigger).
    Costs one query when nobody can be promoted."""
    course_ids = sorted(set(course_ids))
    if not course_ids:
        return []
    rows = fetch_all(f"""SELECT w.course_id, w.student_id, c.capacity, c.enrolled_count,
                                c.code, c.title, s.name, s.email
                         FROM waitlist_entries w
                         JOIN courses c ON c.id = w.course_id
                         JOIN students s ON s.id = w.student_id
                         WHERE w.course_id IN ({placeholders(len(course_ids))})
                           AND (c.capacity IS NULL OR c.enrolled_count < c.capacity)
                         ORDER BY w.course_id, w.position, w.id"""
                     + ("" if is_sqlite() else " FOR UPDATE OF c"), *course_ids)
    chosen = []
    for course_id, queue in groupby(map(_Candidate._make, rows), key=lambda c: c.course_id):
        queue = list(queue)
        blocked = blocking_conflicts(course_id, [c.student_id for c in queue])
        free = [c for c in queue if c.student_id not in blocked]
        capacity, enrolled = queue[0].capacity, queue[0].enrolled
        taken = free if capacity is None else free[:max(capacity - enrolled, 0)]
        # Enrolled course by course, so the next course's conflict check sees them.
        _insert_enrollments((c.student_id, course_id) for c in taken)
        chosen += taken
    return _announce(chosen)


def _announce(candidates, override_reason=None):
    """History, outbox and the note of promotions already enrolled."""
    if not candidates:
        return []
    audit.record([(PROMOTE, c.student_id, c.course_id, override_reason) for c in candidates])
    outbox.queue([outbox.promotion_message(student_id=c.student_id, course_id=c.course_id,
                                           code=c.code, title=c.title, name=c.name,
                                           email=c.email)
                  for c in candidates])
    promotions = [Promotion(c.student_id, c.course_id, c.name, c.code) for c in candidates]
    noted = _noted.get()
    if noted is not None:
        noted += promotions
    return promotions


def promote_now(course_id, student_id, override_reason=None):
    """A registrar's "Enroll now": enroll a waiting student ahead of the queue.

    A full course (CourseFull) or a blocked student (PromotionBlocked) needs an
    `override_reason`, which the history event keeps. Returns the Promotion."""
    override_reason = (override_reason or "").strip() or None
    with write_transaction():
        course = _lock_course(course_id)
        rows = fetch_all("""SELECT s.name, s.email FROM waitlist_entries w
                            JOIN students s ON s.id = w.student_id
                            WHERE w.course_id = ? AND w.student_id = ?""",
                         course_id, student_id)
        if not rows:
            _require_student(student_id)
            raise NotWaiting(student_id, course_id)
        if course.seats_left == 0 and not override_reason:
            raise CourseFull([course_id], [course.code])
        conflicts = blocking_conflicts(course_id, [student_id]).get(student_id)
        if conflicts and not override_reason:
            raise PromotionBlocked(student_id, course_id, conflicts)
        _insert_enrollments([(student_id, course_id)])
        (name, email), = rows
        (promotion,) = _announce([_Candidate(course_id, student_id, course.capacity,
                                             course.enrolled_count, course.code, course.title,
                                             name, email)], override_reason)
    return promotion
