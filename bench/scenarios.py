"""What the benchmark requests. Paths and bodies live here only: adjust them in one place.

Placeholders: {student} the bench student (enrolled in 8 courses), {enrolled_course} one of
those 8, {toggle_course} a course with free seats the student is not in.
"""
from dataclasses import dataclass, replace

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    bodies: tuple = ()          # sent in turn, one per request (the toggle alternates)
    content_type: str = None
    browser: bool = False       # sent as a browser that loaded the page (run.as_browser)
    target: float = None        # minimum req/s as a share of hello's (issue 16)
    expect: int = None          # the status every answer must have (None: any 2xx)
    paths: tuple = ()           # in a mix: paths drawn at random (else `path`)

    def fill(self, **ids):
        return replace(self, path=self.path.format(**ids),
                       bodies=tuple(body.format(**ids) for body in self.bodies))


HELLO = Scenario("hello", "GET", "/")

REGISTRAR = [
    # The floor every signed-in API call pays: token lookup, gate, log line, headers, 404.
    Scenario("api 404 (signed in)", "GET", "/api/no-such-thing", target=0.60, expect=404),
    Scenario("student page", "GET", "/students/{student}", browser=True, target=0.25),
    # Ticked box posts course_ids=<id> (enroll), unticked posts nothing (unenroll).
    Scenario("toggle", "POST", "/students/{student}/courses/{toggle_course}",
             bodies=("course_ids={toggle_course}", ""), content_type=FORM, browser=True,
             target=0.35),
    Scenario("api enroll (idempotent)", "POST", "/api/students/{student}/courses",
             bodies=('{{"course_ids": [{enrolled_course}]}}',), content_type=JSON,
             target=0.50),
    Scenario("api student courses", "GET", "/api/students/{student}/courses", target=0.55),
]

# Mixed load (issue 16 point 5): each request is one of these, drawn by share; page views
# spread over the first MIX_STUDENTS students (with the bench student among them).
MIX = [(70, "student page"), (20, "toggle"), (10, "api student courses")]
MIX_STUDENTS = 50
MIX_CONNECTIONS = 32

# Issue 16's limits, every scenario and database: p99, errors, large/small p50.
MAX_P99_MS = 50
MAX_LARGE_TO_SMALL_P50 = 1.3
