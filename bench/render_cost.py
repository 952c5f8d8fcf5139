"""`python -m bench.render_cost`: what a student page and a toggle cost in-process.

No gunicorn, no sockets: the app runs on a fresh copy of a bench data set (SQLite, or
Postgres with --postgres URL) and the Flask test client sends the requests, signed in as
the bench registrar, with a real page's CSRF token for the toggle (as `make bench` does).
Prints, for each, the CPU time per request (the process's, SQL included: SQLite runs in
this process) of the best of several batches, and the wall-clock time too.

`--snapshot DIR` instead writes what a set of requests answers (pages of several students
and terms, filtered, read-only, and toggles: enroll, unenroll, refusals, waitlist) into
DIR, with what varies from run to run (CSRF tokens, times of events made during the run)
masked, so that `diff -r` of two snapshots (one from main, one from a branch) shows any
change in the HTML a user gets.
"""
import argparse
import os
import re
import secrets
import time
from datetime import datetime, timedelta
from pathlib import Path

from . import datasets
from .run import BENCH_USER

DATASETS = {"small": datasets.SMALL, "large": datasets.LARGE}
HTTPS = "https://localhost"  # the session cookie is Secure outside debug
CSRF_TOKEN = re.compile(r'("X-CSRFToken": "|name="csrf_token" value=")[^"]+')
EVENT_TIME = re.compile(r'<time datetime="([^"]+)Z">[^<]*</time>')


def quiet_request_log():
    """The JSON request line is still formatted and written, to /dev/null (not the tty)."""
    from webapp import request_log
    request_log.json_handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - process-long


def bench_app(url):
    """The app on `url`, as gunicorn runs it (no TESTING, no debug, CSRF on)."""
    from webapp import create_app
    quiet_request_log()
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})


def signed_in_client(app, role="registrar", email=BENCH_USER):
    """A test client with a session cookie of a user with `role` (made if missing)."""
    from webapp import security
    from webapp.rules import users
    with app.app_context():
        user = users.find_user(email) or users.create_user(
            email, f"Bench {role.title()}", role, secrets.token_urlsafe(16))
        session = users.start_session(user)
    client = app.test_client()
    client.set_cookie(security.SESSION_COOKIE, session, domain="localhost")
    return client


class Requests:
    """The page and the toggle as the bench sends them, through one signed-in client."""

    def __init__(self, client, student, toggle_course):
        self.client = client
        self.page_path = f"/students/{student}"
        self.toggle_path = f"/students/{student}/courses/{toggle_course}"
        self.toggle_bodies = ({"course_ids": str(toggle_course)}, {})  # enroll, unenroll
        page = self.page()
        self.csrf = {"X-CSRFToken": CSRF_TOKEN.search(page).group(0).rsplit('"', 1)[-1],
                     "HX-Request": "true",
                     "Referer": HTTPS + self.page_path}  # (CSRF over https checks it)
        self.toggles = 0

    def page(self, query=""):
        return self._answer(self.client.get(self.page_path + query, base_url=HTTPS))

    def toggle(self):
        body = self.toggle_bodies[self.toggles % 2]
        self.toggles += 1
        return self.post(self.toggle_path, body)

    def post(self, path, body):
        return self._answer(self.client.post(path, data=body, headers=self.csrf,
                                             base_url=HTTPS), ok=(200, 404, 409))

    @staticmethod
    def _answer(response, ok=(200,)):
        if response.status_code not in ok:
            raise RuntimeError(f"{response.request.path} answered {response.status}")
        return response.get_data(as_text=True)


def best_of(request, count, batches):
    """(CPU ms, wall ms) per request: the best batch of `batches` of `count` requests."""
    cpu, wall = [], []
    for _ in range(batches):
        started_cpu, started = time.process_time(), time.perf_counter()
        for _ in range(count):
            request()
        cpu.append((time.process_time() - started_cpu) * 1000 / count)
        wall.append((time.perf_counter() - started) * 1000 / count)
    return min(cpu), min(wall)


def measure(url, count, batches):
    ids = datasets.prepare_student(url)
    app = bench_app(url)
    requests = Requests(signed_in_client(app), ids["student"], ids["toggle_course"])
    rows = requests.page().count('class="course-row')
    for name, request in (("student page", requests.page), ("toggle", requests.toggle)):
        for _ in range(10):  # warm: templates compiled, connection open, caches filled
            request()
        cpu, wall = best_of(request, count, batches)
        print(f"{name:13} {cpu:7.2f} ms CPU/request  ({wall:.2f} ms wall; best of {batches}"
              f" x {count}{f'; {rows} rows' if name == 'student page' else ''})", flush=True)


# --- snapshot -------------------------------------------------------------------------

def masked(html, since):
    """`html` without what differs between two runs: CSRF tokens, and the time of every
    history event made after `since` (an ISO time, UTC)."""
    html = CSRF_TOKEN.sub(r"\1…", html)
    return EVENT_TIME.sub(lambda m: '<time datetime="now">now</time>'
                          if m.group(1) >= since else m.group(0), html)


def _one(database, sql, *params):
    rows = database.execute_sql(sql, params).fetchall()
    return rows[0] if rows else None


def snapshot_cases(database, ids):
    """[(name, method, path, body)]: pages and toggles covering each kind of row."""
    student, toggle = ids["student"], ids["toggle_course"]
    other_students = [s for s in ids["first_students"][1:5]]
    terms = [t for (t,) in database.execute_sql("SELECT id FROM terms ORDER BY id")]
    cases = [(f"page-{s}", "GET", f"/students/{s}", None) for s in [student, *other_students]]
    cases += [(f"page-{student}-term-{t}", "GET", f"/students/{student}?term={t}", None)
              for t in [*terms, "none"]]
    cases += [(f"page-{student}-q", "GET", f"/students/{student}?q=a", None),
              (f"page-{student}-q-none", "GET", f"/students/{student}?q=zzzz", None)]
    courses = f"/students/{student}/courses"
    cases += [("toggle-enroll", "POST", f"{courses}/{toggle}", {"course_ids": str(toggle)}),
              ("toggle-enroll-again", "POST", f"{courses}/{toggle}", {"course_ids": str(toggle)}),
              ("toggle-unenroll", "POST", f"{courses}/{toggle}", {})]
    full, *others = database.execute_sql(
        """SELECT c.id FROM courses c WHERE c.capacity IS NOT NULL
           AND c.enrolled_count >= c.capacity AND NOT EXISTS (SELECT 1 FROM
           student_courses e WHERE e.course_id = c.id AND e.student_id = ?)
           ORDER BY c.id LIMIT 2""", (student,)).fetchall() or [None]
    if others:  # "Enroll anyway" past a full course, with its reason in the history
        cases.append(("override", "POST", f"{courses}/{others[0][0]}/override",
                      {f"reason-{others[0][0]}": "Teacher <agreed> & signed",
                       f"over_capacity-{others[0][0]}": "1"}))
    if full:
        path = f"{courses}/{full[0]}"
        cases += [("toggle-full", "POST", path, {"course_ids": str(full[0])}),
                  ("waitlist-join", "POST", f"{path}/waitlist", {}),
                  ("waitlist-join-again", "POST", f"{path}/waitlist", {}),
                  (f"page-{student}-waiting", "GET", f"/students/{student}", None),
                  ("waitlist-leave", "POST", f"{path}/waitlist/leave", {}),
                  ("waitlist-leave-again", "POST", f"{path}/waitlist/leave", {}),
                  ("waitlist-rejoin", "POST", f"{path}/waitlist", {})]
        seated = _one(database, "SELECT MIN(student_id) FROM student_courses WHERE course_id = ?",
                      full[0])
        # Another student leaves the full course: the waitlist promotes the bench student.
        cases.append(("toggle-unenroll-promotes", "POST",
                      f"/students/{seated[0]}/courses/{full[0]}", {}))
    clash = _one(database, """SELECT m2.course_id FROM student_courses e
                 JOIN course_meetings m1 ON m1.course_id = e.course_id
                 JOIN course_meetings m2 ON m2.course_id != m1.course_id
                      AND (m1.weekdays & m2.weekdays) != 0
                      AND m1.start_minute < m2.end_minute AND m2.start_minute < m1.end_minute
                 JOIN courses c ON c.id = m2.course_id
                 WHERE e.student_id = ? AND (c.capacity IS NULL OR c.enrolled_count < c.capacity)
                 ORDER BY m2.course_id LIMIT 1""", student)
    if clash:
        cases.append(("toggle-clash", "POST", f"{courses}/{clash[0]}",
                      {"course_ids": str(clash[0])}))
    roster = f"/courses/{ids['enrolled_course']}"
    cases += [("toggle-gone-course", "POST", f"{courses}/999999", {"course_ids": "999999"}),
              (f"page-{student}-after", "GET", f"/students/{student}", None),
              # History elsewhere: a course page, the desk; a roster removal's Undo message.
              ("course-page", "GET", f"/courses/{toggle}", None),
              ("desk", "GET", "/", None),
              ("roster-remove", "POST", f"{roster}/students/{student}/remove", {}),
              ("roster-removed-page", "GET", roster, None)]
    return cases


def snapshot(url, out):
    """Write each snapshot case's answer (status, then masked HTML) into `out`."""
    since = (datetime.utcnow() - timedelta(seconds=1)).isoformat(timespec="seconds")
    ids = datasets.prepare_student(url)
    app = bench_app(url)
    requests = Requests(signed_in_client(app), ids["student"], ids["toggle_course"])
    staff = Requests(signed_in_client(app, "staff", "bench-staff@example.edu"),
                     ids["student"], ids["toggle_course"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "page-read-only.html").write_text(masked(staff.page(), since))
    from webapp.db import db
    with app.app_context():
        cases = snapshot_cases(db.obj, ids)
    for name, method, path, body in cases:
        response = (requests.client.get(path, base_url=HTTPS) if method == "GET" else
                    requests.client.post(path, data=body, headers=requests.csrf,
                                         base_url=HTTPS))
        (out / f"{name}.html").write_text(f"{response.status}\n"
                                          + masked(response.get_data(as_text=True), since))
    print(f"{len(cases) + 1} answers in {out}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=DATASETS, default="small")
    parser.add_argument("--postgres", metavar="URL", help="a Postgres server (bench's copy)")
    parser.add_argument("--requests", type=int, default=100, help="per batch")
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--snapshot", type=Path, metavar="DIR",
                        help="write the answers of the snapshot cases instead of timing")
    args = parser.parse_args(argv)
    url = datasets.working_copy(DATASETS[args.dataset], args.postgres)
    if args.snapshot:
        snapshot(url, args.snapshot)
    else:
        measure(url, args.requests, args.batches)


if __name__ == "__main__":
    main()
