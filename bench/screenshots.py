"""Take the README's screenshots of the desk and the accounts page: the demo data in a
throw-away SQLite database, the app served from a thread, Debian's Chromium through
Playwright. Run once after changing those pages:

    .venv/bin/python -m bench.screenshots      # writes docs/dashboard.png, docs/accounts.png

Not part of the tests; it only needs what `make test` installs.
"""
import os
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from webapp import create_app, security
from webapp.config import PROJECT_ROOT
from webapp.models import Course, Student, StudentCourse
from webapp.ops import demo, migrate
from webapp.ops.users_cli import DEMO_USERS
from webapp.rules import audit, enrollment, users, waitlist

DOCS = PROJECT_ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
WIDTH = 1280


def desk_day(registrar):
    """A morning's work on top of the demo data: a course filled up with a queue behind
    it, and a removal that can be undone."""
    with audit.acting_as(audit.Actor(registrar.id, registrar.name)):
        course = Course.get(Course.code == "ALG-210")
        outside = (Student.select().where(Student.id.not_in(
            StudentCourse.select(StudentCourse.student).where(StudentCourse.course == course.id)))
            .order_by(Student.id).limit(4))
        first, *queue = [student.id for student in outside]
        enrollment.enroll_students(course.id, [first])
        for student_id in queue:
            waitlist.join(course.id, student_id)
        music = Course.get(Course.code == "MUS-101")
        leaving = music.students.first()
        enrollment.unenroll(leaving.id, music.id)


def main():
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "screenshots",
                          "DATABASE_URL": f"sqlite:///{Path(folder) / 'registrar.db'}",
                          "SCHOOL_TIMEZONE": os.environ.get("SCHOOL_TIMEZONE", "Europe/London")})
        with app.app_context():
            migrate.upgrade(app.config["MIGRATIONS_DIR"])
            demo.seed_demo()
            accounts = [users.create_user(email, name, role, "screenshots only")
                        for email, name, role in DEMO_USERS]
            users.create_user("omar.office@example.edu", "Omar Office", "staff",
                              "screenshots only")
            users.deactivate(users.create_user("dee.former@example.edu", "Dee Former", "staff",
                                               "screenshots only"))
            registrar = accounts[0]
            users.issue_token(registrar, "SIS sync")
            desk_day(registrar)
            cookie = users.start_session(registrar)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            shoot(base, cookie)
        finally:
            server.shutdown()


def shoot(base, cookie):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else None,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        context = browser.new_context(base_url=base, viewport={"width": WIDTH, "height": 900})
        context.add_cookies([{"name": security.SESSION_COOKIE, "value": cookie, "url": base}])
        page = context.new_page()
        for path, name in (("/", "dashboard.png"), ("/accounts/", "accounts.png")):
            page.goto(path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(DOCS / name), full_page=True)
            print(f"wrote docs/{name}")
        browser.close()


if __name__ == "__main__":
    main()
