"""Who is acting, and the enrollment history their changes leave.

The enrollment service has no Flask in it, so the acting user and request id reach it
through a context variable that the web layer sets per request (and the CLI per command).
"""
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ..db import fetch_all, insert_rows, run_sql
from ..models import EnrollmentEvent, utcnow

ENROLL, UNENROLL = "enroll", "unenroll"
# The waitlist's: a promotion enrolls from the queue (and ends the wait); add/remove are
# joining and leaving the queue.
PROMOTE, WAITLIST_ADD, WAITLIST_REMOVE = "promote", "waitlist_add", "waitlist_remove"
ACTIONS = (ENROLL, UNENROLL, PROMOTE, WAITLIST_ADD, WAITLIST_REMOVE)


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
                 "at", "override_reason")


# A single event comes back with its id (so a page can offer Undo) and its student's name
# (so a page can say who, "… enrolled Ada Lovelace in …", without another query).
_RETURNING_ONE = ("RETURNING id, (SELECT s.name FROM students s "
                  "WHERE s.id = enrollment_events.student_id)")


def record(changes):
    """Write one event per (action, student_id, course_id[, override_reason]) and return
    them as unsaved-looking EnrollmentEvent objects (a single event carries its new id and
    `.student_name`).

    Call inside the change's transaction, so history and data commit or fail together."""
    rows, returned = _write(changes, _RETURNING_ONE)
    events = [EnrollmentEvent(**dict(zip(EVENT_COLUMNS, row))) for row in rows]
    if returned:
        events[0].id, events[0].student_name = returned[0]
    return events


def record_many(changes):
    """Write one event per (action, student_id, course_id[, override_reason]), like
    `record`, without building an object per event (bulk writers: the OneRoster import)."""
    _write(changes, "")


def record_rows(action, source, *params):
    """One `action` event per row of `source` (SQL after FROM: a table with student_id and
    course_id, and its WHERE; `params` for its placeholders), written by the database
    itself: bulk writers whose rows are staged in SQL (the OneRoster import)."""
    actor = current_actor()
    run_sql(f"INSERT INTO enrollment_events ({', '.join(EVENT_COLUMNS)}) SELECT student_id, "
            "course_id, ?, CAST(? AS INTEGER), ?, ?, ?, NULL FROM " + source,
            action, actor.user_id, actor.name, actor.request_id, utcnow(), *params)


def _write(changes, returning_one):
    """INSERT the events; returns (their rows, what a single event's RETURNING gave)."""
    actor = current_actor()
    now = utcnow()
    padded = [(*change, None)[:4] for change in changes]  # no reason: no override
    rows = [(s, c, action, actor.user_id, actor.name, actor.request_id, now, reason)
            for action, s, c, reason in padded]
    if not rows:
        return rows, []
    return rows, insert_rows("enrollment_events", EVENT_COLUMNS, rows,
                             returning_one if len(rows) == 1 else "")


@dataclass(slots=True)
class HistoryEntry:
    """One event as history lists show it: the row, plus its course's code and student's name."""
    id: int
    student_id: int
    course_id: int
    action: str
    actor_name: str
    request_id: str | None
    at: object
    override_reason: str | None
    code: str
    student_name: str
    undoable: bool = False


def _events(column, value, limit):
    """Newest first; `column` None for the whole school's. Hand-written SQL
    (db.fetch_all): the student page, the busiest one, shows this list, and building it
    through peewee cost more than running it."""
    where = f"WHERE e.{column} = ?" if column else ""
    # A student's or course's list walks its (column, at) index. The school's has no such
    # index: ids grow as events are written, so the primary key gives the newest at once
    # (sorting every event by `at` took seconds at a million events).
    order = "e.at DESC, e.id DESC" if column else "e.id DESC"
    rows = fetch_all(f"""SELECT e.id, e.student_id, e.course_id, e.action, e.actor_name,
                                e.request_id, e.at, e.override_reason, c.code, s.name
                         FROM enrollment_events e
                         JOIN courses c ON c.id = e.course_id
                         JOIN students s ON s.id = e.student_id
                         {where}
                         ORDER BY {order}{" LIMIT ?" if limit else ""}""",
                     *([value] if column else []), *([limit] if limit else []))
    to_time = EnrollmentEvent.at.python_value
    return [HistoryEntry(*row[:6], to_time(row[6]), *row[7:]) for row in rows]


def _mark_undoable(events):
    """Mark each unenroll that is still the latest word on its student and course (so the
    student is out of it now and Undo makes sense). Any later event of that pair is newer,
    so it is in the list too (newest first, limited)."""
    seen = set()
    for event in events:
        pair = (event.student_id, event.course_id)
        event.undoable = event.action == UNENROLL and pair not in seen
        seen.add(pair)
    return events


def student_history(student_id, limit=50):
    """The student's newest events first, each with `.code`, `.student_name` and
    `.undoable`."""
    return _mark_undoable(_events("student_id", student_id, limit))


def course_history(course_id, limit=50):
    """The course's newest events first, each with `.code`, `.student_name` and
    `.undoable`."""
    return _mark_undoable(_events("course_id", course_id, limit))


def school_history(limit=20):
    """The whole school's newest events first (the desk's "Latest changes"), each with
    `.code`, `.student_name` and `.undoable`; `limit` None for all."""
    return _mark_undoable(_events(None, None, limit))
