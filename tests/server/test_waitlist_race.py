"""Waitlists through real gunicorn (2 workers) on SQLite and Postgres: racing clients never
overfill a course, promote nobody twice, promote in queue order; kill -9 mid-stream loses no
confirmed promotion and leaves nobody both enrolled and waiting."""
import threading
from collections import Counter

import pytest

from webapp.db import db, fetch_all, is_sqlite
from webapp.models import Course, EnrollmentEvent, StudentCourse, WaitlistEntry
from webapp.rules import waitlist

from ..test_concurrency import race
from .harness import request

CAPACITY = 5

# A test-only witness: every change of a course's seat count is copied into seat_watch in
# the same transaction, so the committed rows show every count any commit ever had.
SQLITE_WATCH = [
    "CREATE TABLE seat_watch (course_id INTEGER, enrolled INTEGER)",
    """CREATE TRIGGER watch_seats AFTER UPDATE OF enrolled_count ON courses
       BEGIN INSERT INTO seat_watch VALUES (NEW.id, NEW.enrolled_count); END""",
]
UNWATCH = ["DROP TRIGGER IF EXISTS watch_seats ON courses", "DROP FUNCTION IF EXISTS watch_seats()",
           "DROP TABLE IF EXISTS seat_watch"]
POSTGRES_WATCH = [
    "CREATE TABLE seat_watch (course_id INTEGER, enrolled INTEGER)",
    """CREATE FUNCTION watch_seats() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO seat_watch VALUES (NEW.id, NEW.enrolled_count); RETURN NULL; END $$""",
    """CREATE TRIGGER watch_seats AFTER UPDATE OF enrolled_count ON courses
       FOR EACH ROW EXECUTE FUNCTION watch_seats()""",
]


def roster(course_id):
    return {sid for (sid,) in StudentCourse.select(StudentCourse.student)
            .where(StudentCourse.course == course_id).tuples()}


def queue_now(course_id):
    return [entry.student_id for entry in waitlist.waiting_students(course_id)]


def replay(course_id, enrolled, queue, after_event):
    """Re-run the course's history since `after_event` (ids follow the order in which the
    course row's lock was held): every promotion must take the head of the queue, and no
    step may leave more than CAPACITY enrolled. Returns (enrolled, queue, promoted)."""
    enrolled, queue, promoted = set(enrolled), list(queue), []
    for event in (EnrollmentEvent.select()
                  .where(EnrollmentEvent.course == course_id, EnrollmentEvent.id > after_event)
                  .order_by(EnrollmentEvent.id)):
        student = event.student_id
        if event.action == "unenroll":
            enrolled.remove(student)
        elif event.action == "promote":
            assert queue and queue[0] == student, ("promoted out of queue order", event.id)
            queue.pop(0)
            enrolled.add(student)
            promoted.append(student)
        elif event.action == "waitlist_add":
            assert student not in queue and student not in enrolled
            queue.append(student)
        elif event.action == "waitlist_remove":
            queue.remove(student)
        else:
            raise AssertionError(f"unexpected {event.action} event")
        assert len(enrolled) <= CAPACITY, ("over capacity after event", event.id)
    return enrolled, queue, promoted


@pytest.fixture
def seat_watch(database):
    """Install the witness; on Postgres (one database for the session) take it away after."""
    for statement in SQLITE_WATCH if is_sqlite() else POSTGRES_WATCH:
        database.execute_sql(statement)
    yield
    if not is_sqlite():
        for statement in UNWATCH:
            db.execute_sql(statement)


def test_thirty_clients_unenrolling_joining_and_leaving_keep_the_queue_honest(
        serve, api_headers, make_student, full_course, seat_watch):
    course, enrolled, queue = full_course(capacity=CAPACITY, waiting=20)
    newcomers = [make_student().id for _ in range(10)]
    leavers = queue[1::2]  # ten of the waiting; early ones may be promoted before they leave
    last_event = EnrollmentEvent.select().order_by(EnrollmentEvent.id.desc()).first().id
    db.close()
    server = serve()
    base, cid = server.base_url, course.id

    def call(method, path, body=None):
        return lambda: request(base + path, method, body, api_headers)
    calls = ([("unenroll", call("DELETE", f"/api/students/{sid}/courses/{cid}"))
              for sid in enrolled]
             + [("join", call("POST", f"/api/courses/{cid}/waitlist", {"student_id": sid}))
                for sid in newcomers]
             + [("leave", call("DELETE", f"/api/courses/{cid}/waitlist/{sid}"))
                for sid in leavers]
             + [("read", call("GET", f"/api/courses/{cid}/waitlist")) for _ in range(5)])
    assert len(calls) == 30

    results = race([work for _, work in calls], connect=False)

    statuses = Counter((kind, status) for (kind, _), (status, _) in zip(calls, results))
    assert statuses[("unenroll", 204)] == CAPACITY, results
    assert statuses[("join", 201)] == len(newcomers), results
    assert statuses[("read", 200)] == 5, results
    assert statuses[("leave", 204)] + statuses[("leave", 404)] == len(leavers), results
    assert not [s for s in results if s[0] is None or s[0] >= 500], server.log_tail()
    # a leaver answered 404 was promoted before their turn, never after leaving
    leave_statuses = [status for (kind, _), (status, _) in zip(calls, results)
                      if kind == "leave"]
    promoted_leavers = {sid for sid, status in zip(leavers, leave_statuses) if status == 404}

    expected_roster, expected_queue, promoted = replay(cid, enrolled, queue, last_event)

    assert len(promoted) == CAPACITY and len(set(promoted)) == len(promoted)
    assert promoted_leavers <= set(promoted)
    assert roster(cid) == expected_roster and queue_now(cid) == expected_queue
    assert Course.get_by_id(cid).enrolled_count == len(expected_roster) == CAPACITY
    assert not roster(cid) & set(queue_now(cid))
    (highest,), = fetch_all("SELECT MAX(enrolled) FROM seat_watch WHERE course_id = ?", cid)
    assert highest == CAPACITY  # no commit ever saw six
    assert "database is locked" not in server.log_text()


STREAMS = 4
KILL_AFTER = 30


class UnenrollStream(threading.Thread):
    """Reads the roster, unenrolls one of it (promoting the next in line), again and again;
    remembers what it saw enrolled, what it tried to remove and which removals were
    confirmed."""

    def __init__(self, index, server, headers, course_id, log, enough):
        super().__init__(daemon=True)
        self.index, self.server, self.headers = index, server, headers
        self.course_id, self.log, self.enough = course_id, log, enough
        self.errors = []

    def run(self):
        base = self.server.base_url
        while True:
            status, body = request(f"{base}/api/courses/{self.course_id}/students",
                                   headers=self.headers, timeout=10)
            if status is None:
                return  # the server is gone
            seen = [row["id"] for row in body["students"]]
            self.log["seen"].update(seen)
            target = seen[self.index % len(seen)]
            self.log["attempted"].add(target)
            status, _ = request(f"{base}/api/students/{target}/courses/{self.course_id}",
                                "DELETE", headers=self.headers, timeout=10)
            if status is None:
                return
            if status == 204:
                self.log["confirmed"].add(target)
                if len(self.log["confirmed"]) >= KILL_AFTER:
                    self.enough.set()
            elif status != 404:  # 404: another stream removed them first
                self.errors.append(status)


def test_kill_9_mid_stream_loses_no_confirmed_promotion_and_leaves_no_half_promotion(
        serve, api_headers, full_course):
    course, enrolled, queue = full_course(capacity=CAPACITY, waiting=150)
    db.close()
    server = serve()
    log, enough = {"seen": set(), "attempted": set(), "confirmed": set()}, threading.Event()
    streams = [UnenrollStream(i, server, api_headers, course.id, log, enough)
               for i in range(STREAMS)]
    for stream in streams:
        stream.start()

    assert enough.wait(timeout=90), server.log_tail()
    server.kill()
    for stream in streams:
        stream.join(timeout=30)
    assert [s.errors for s in streams] == [[]] * STREAMS

    restarted = serve()
    status, body = request(f"{restarted.base_url}/api/courses/{course.id}/waitlist",
                           headers=api_headers)
    assert status == 200
    waiting = [entry["student_id"] for entry in body["entries"]]
    now_enrolled = roster(course.id)
    promoted = [e.student_id for e in EnrollmentEvent.select().where(
        EnrollmentEvent.course == course.id, EnrollmentEvent.action == "promote")
        .order_by(EnrollmentEvent.id)]
    removed = {e.student_id for e in EnrollmentEvent.select().where(
        EnrollmentEvent.course == course.id, EnrollmentEvent.action == "unenroll")}

    assert KILL_AFTER <= len(log["confirmed"]) < len(queue)  # killed midway
    # every removal the server confirmed happened, and each promoted the next in line
    assert log["confirmed"] <= removed and not removed & now_enrolled
    assert promoted == queue[:len(promoted)] and len(promoted) == len(removed)
    assert waiting == queue[len(promoted):]
    # everyone seen enrolled is still enrolled unless a removal of them was under way
    assert log["seen"] - log["attempted"] <= now_enrolled
    # no half-promotion: nobody enrolled and waiting, nobody lost between the two
    assert not now_enrolled & set(waiting)
    assert now_enrolled | removed | set(waiting) == set(enrolled) | set(queue)
    assert Course.get_by_id(course.id).enrolled_count == len(now_enrolled) == CAPACITY
    assert WaitlistEntry.select().where(WaitlistEntry.course == course.id).count() == len(waiting)
    if is_sqlite():
        assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
