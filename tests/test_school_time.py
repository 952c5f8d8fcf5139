"""Times on pages and in CSV files are in SCHOOL_TIMEZONE and say so; the API keeps UTC."""
import csv
import io
from datetime import datetime

import pytest

from webapp.models import EnrollmentEvent, StudentCourse, WaitlistEntry
from webapp.rules import enrollment, waitlist

# 20:30 UTC on a winter day is 21:30 in Paris (CET, UTC+1), 07:30 next day in Auckland.
STORED = datetime(2026, 12, 7, 20, 30)


@pytest.fixture
def app_settings():
    return {"SCHOOL_TIMEZONE": "Europe/Paris"}


@pytest.fixture
def roster(make_student, make_course):
    ada = make_student(name="Ada Lovelace")
    course = make_course(code="MATH-101", capacity=1)
    enrollment.enroll_students(course.id, [ada.id])
    bob = make_student(name="Bob Waiting")
    waitlist.join(course.id, bob.id)
    for model, column in ((StudentCourse, StudentCourse.enrolled_at),
                          (EnrollmentEvent, EnrollmentEvent.at),
                          (WaitlistEntry, WaitlistEntry.added_at)):
        model.update({column: STORED}).execute()
    return ada, course


def test_history_roster_and_waitlist_show_paris_time_and_name_the_zone(client, roster):
    ada, course = roster
    student_page = client.get(f"/students/{ada.id}").get_data(as_text=True)
    assert '<time datetime="2026-12-07T20:30:00Z">2026-12-07 21:30</time>' in student_page
    assert "Times in Europe/Paris" in student_page and " UTC" not in student_page
    course_page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Enrolled at (Europe/Paris)" in course_page
    assert "<td>2026-12-07 21:30</td>" in course_page
    assert "waiting since 2026-12-07 21:30 (Europe/Paris)" in course_page


def test_the_desk_shows_paris_time(client, roster):
    html = client.get("/").get_data(as_text=True)
    assert "Times in Europe/Paris" in html
    assert ">2026-12-07 21:30</time>" in html


def test_csv_headers_name_the_zone_and_cells_use_it(client, roster):
    _, course = roster
    rows = list(csv.reader(io.StringIO(
        client.get(f"/courses/{course.id}/roster.csv").data.decode("utf-8-sig"))))
    assert rows[0][-1] == "enrolled_at (Europe/Paris)" and rows[1][-1] == "2026-12-07 21:30:00"
    changes = list(csv.reader(io.StringIO(
        client.get("/desk/changes.csv").data.decode("utf-8-sig"))))
    assert changes[0][0] == "changed_at (Europe/Paris)"
    assert {row[0] for row in changes[1:]} == {"2026-12-07 21:30:00"}


def test_accounts_and_tokens_show_paris_time(client, registrar):
    from webapp.models import ApiToken, User
    User.update(created_at=STORED).execute()
    ApiToken.update(created_at=STORED).execute()
    account = client.get(f"/accounts/{registrar.id}").get_data(as_text=True)
    assert "2026-12-07 21:30 (Europe/Paris)" in account
    tokens = client.get("/account/tokens").get_data(as_text=True)
    assert "Created (Europe/Paris)" in tokens and "2026-12-07 21:30" in tokens


def test_the_outbox_page_shows_paris_time(client, roster):
    from webapp.models import OutboxMessage
    OutboxMessage.create(recipient="ada@example.edu", subject="Hello", body="Hi",
                         created_at=STORED)
    html = client.get("/outbox/").get_data(as_text=True)
    assert "written 2026-12-07 21:30" in html and "times in Europe/Paris" in html


def test_the_api_keeps_utc(api, roster):
    ada, _ = roster
    body = api.get(f"/api/students/{ada.id}/history").get_json()
    stamps = [event["at"] for event in body["events"]]
    assert stamps and set(stamps) == {"2026-12-07T20:30:00Z"}


def test_import_jobs_show_paris_time_as_the_desk_does(client, registrar):
    from .roster_bundles import make_job
    job = make_job("done", created_at=STORED, created_by=registrar.id)
    listed = client.get("/imports/").get_data(as_text=True)
    assert "Started (Europe/Paris)" in listed and ">2026-12-07 21:30</a>" in listed
    shown = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Started 2026-12-07 21:30 (Europe/Paris)" in shown
    assert " UTC" not in listed + shown
