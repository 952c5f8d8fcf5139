"""kill -9 of the whole server mid-stream loses no enrollment it confirmed.

SQLite runs WAL with synchronous=NORMAL: a commit is in the WAL (the OS page cache)
before the 200 goes out, and a killed process cannot take the OS cache with it.
"""
import threading

from webapp.db import db, is_sqlite
from webapp.models import Course, StudentCourse

from .harness import request

STREAMS = 4
KILL_AFTER = 60


class EnrollStream(threading.Thread):
    """Enrolls its students one after another; remembers each 200 it got."""

    def __init__(self, server, headers, course_id, student_ids, confirmed, enough):
        super().__init__(daemon=True)
        self.server, self.headers, self.course_id = server, headers, course_id
        self.student_ids, self.confirmed, self.enough = student_ids, confirmed, enough
        self.refused = []

    def run(self):
        for student_id in self.student_ids:
            status, _ = request(f"{self.server.base_url}/api/students/{student_id}/courses",
                                "POST", {"course_ids": [self.course_id]}, self.headers,
                                timeout=10)
            if status is None:  # the server is gone
                return
            if status != 200:
                self.refused.append((student_id, status))
                continue
            self.confirmed.append(student_id)
            if len(self.confirmed) >= KILL_AFTER:
                self.enough.set()


def test_killed_server_keeps_every_confirmed_enrollment(serve, api_headers, make_student,
                                                        make_course):
    course = make_course()  # unlimited
    students = [make_student().id for _ in range(STREAMS * 100)]
    db.close()  # the server alone touches the database until the checks
    server = serve()
    confirmed, enough = [], threading.Event()
    streams = [EnrollStream(server, api_headers, course.id, students[i::STREAMS], confirmed,
                            enough) for i in range(STREAMS)]
    for stream in streams:
        stream.start()

    assert enough.wait(timeout=60), server.log_tail()
    server.kill()
    for stream in streams:
        stream.join(timeout=30)
    confirmed_at_kill = list(confirmed)
    assert [s.refused for s in streams] == [[]] * STREAMS
    assert KILL_AFTER <= len(confirmed_at_kill) < len(students)  # killed midway

    restarted = serve()
    status, body = request(f"{restarted.base_url}/api/courses/{course.id}/students",
                           headers=api_headers)

    assert status == 200
    listed = {row["id"] for row in body["students"]}
    assert set(confirmed_at_kill) <= listed
    rows = StudentCourse.select().where(StudentCourse.course == course.id).count()
    assert Course.get_by_id(course.id).enrolled_count == rows == len(listed)
    if is_sqlite():
        assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
