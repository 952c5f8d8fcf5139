"""Who is acting, and the enrollment history their changes leave.

The enrollment service has no Flask in it, so the acting user and request id reach it
through a context variable that the web layer sets per request (and the CLI per command).
"""
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from .db import insert_rows
from .models import Course, EnrollmentEvent, Student, utcnow

ENROLL, UNENROLL = "enroll", "unenroll"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    request_id: str | None = None


SYSTEM = Actor(None, "system")
_current = ContextVar("registrar_actor", default=SYSTEM)


def current_actor():
    return _current.get()


def set_actor(actor):
    """Make `actor` the author of changes from here on; returns a token for reset_actor."""
    return _current.set(actor)


def reset_actor(token):
    _current.reset(token)


@contextmanager
def acting_as(actor):
    token = set_actor(actor)
    try:
        yield actor
    finally:
        reset_actor(token)


EVENT_COLUMNS = ("student_id", "course_id", "action", "actor_id", "actor_name", "request_id",
                 "at")


def record(changes):
    """Write one event per (action, student_id, course_id) and return them as unsaved-looking
    EnrollmentEvent objects (a single event carries its new id, so a page can offer Undo).

    Call inside the change's transaction, so history and data commit or fail together."""
    actor = current_actor()
    now = utcnow()
    rows = [(s, c, action, actor.user_id, actor.name, actor.request_id, now)
            for action, s, c in changes]
    if not rows:
        return []
    returned = insert_rows("enrollment_events", EVENT_COLUMNS, rows,
                           "RETURNING id" if len(rows) == 1 else "")
    events = [EnrollmentEvent(**dict(zip(EVENT_COLUMNS, row))) for row in rows]
    if returned:
        events[0].id = returned[0][0]
    return events


def _events(where, limit):
    return list(EnrollmentEvent
                .select(EnrollmentEvent, Course.code, Student.name.alias("student_name"))
                .join_from(EnrollmentEvent, Course)
                .join_from(EnrollmentEvent, Student)
                .where(where)
                .order_by(EnrollmentEvent.at.desc(), EnrollmentEvent.id.desc())
                .limit(limit)
                .objects())


def student_history(student_id, limit=50):
    """The student's newest events first, each with `.code` and `.student_name`.

    `.undoable` marks an unenroll that is still the latest word on its course (so the
    student is out of it now and Undo makes sense)."""
    events, seen = _events(EnrollmentEvent.student == student_id, limit), set()
    for event in events:
        event.undoable = event.action == UNENROLL and event.course_id not in seen
        seen.add(event.course_id)
    return events


def course_history(course_id, limit=50):
    """The course's newest events first, each with `.code`."""
    return _events(EnrollmentEvent.course == course_id, limit)
