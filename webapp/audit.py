"""Who is acting, and the enrollment history their changes leave.

The enrollment service has no Flask in it, so the acting user and request id reach it
through a context variable that the web layer sets per request (and the CLI per command).
"""
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

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


def record(changes):
    """Write one event per (action, student_id, course_id) in one statement and return
    them (a single event comes back with its id, so a page can offer Undo at once).

    Call inside the change's transaction, so history and data commit or fail together."""
    actor = current_actor()
    now = utcnow()
    events = [EnrollmentEvent(student=s, course=c, action=action, actor=actor.user_id,
                              actor_name=actor.name, request_id=actor.request_id, at=now)
              for action, s, c in changes]
    if len(events) == 1:
        events[0].save(force_insert=True)
    elif events:
        EnrollmentEvent.insert_many([e.__data__ for e in events]).execute()
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
