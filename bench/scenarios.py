"""What the benchmark requests. Paths and bodies live here only: adjust them in one place.

Placeholders: {student} the bench student (enrolled in 8 courses), {enrolled_course} one of
those 8, {toggle_course} a course with free seats the student is not in.
"""
from dataclasses import dataclass

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    bodies: tuple = ()          # sent in turn, one per request (the toggle alternates)
    content_type: str = None
    form_post: bool = False     # needs the page's CSRF token and session cookie
    target: float = None        # minimum req/s as a share of hello's (issue 7)

    def fill(self, **ids):
        return Scenario(self.name, self.method, self.path.format(**ids),
                        tuple(body.format(**ids) for body in self.bodies),
                        self.content_type, self.form_post, self.target)


HELLO = Scenario("hello", "GET", "/")

REGISTRAR = [
    Scenario("student page", "GET", "/students/{student}", target=0.35),
    # Ticked box posts course_ids=<id> (enroll), unticked posts nothing (unenroll).
    Scenario("toggle", "POST", "/students/{student}/courses/{toggle_course}",
             bodies=("course_ids={toggle_course}", ""), content_type=FORM, form_post=True,
             target=0.50),
    Scenario("api enroll (idempotent)", "POST", "/api/students/{student}/courses",
             bodies=('{{"course_ids": [{enrolled_course}]}}',), content_type=JSON,
             target=0.50),
    Scenario("api student courses", "GET", "/api/students/{student}/courses", target=0.60),
]
