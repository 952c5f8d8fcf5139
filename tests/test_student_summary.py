"""The student page's summary of the courses the student is in (the term shown), the
one-step way to the history, and the summary redrawn in place after a tick."""
import re
from datetime import date

import pytest
from playhouse.test_utils import assert_query_count

from webapp.models import StudentCourse
from webapp.rules import terms

HTMX = {"HX-Request": "true"}


def summary(html):
    """(code, title, meetings) of each summary line."""
    block = re.search(r'<div id="course-summary"[^>]*>(.*?)</div>', html, re.DOTALL)[1]
    return re.findall(r'<strong>([^<]+)</strong> — ([^<]+)</a>\s*<span class="meets">([^<]*)'
                      r'</span>', block)


@pytest.fixture
def ada(make_student, make_course, make_term, monkeypatch):
    """Ada in FALL's MATH-101 (meets) and BIO-1 (no meetings), a no-term HIS-1, and
    SPRING's ART-1; FALL also has PHY-201, which she is not in. Today is in FALL."""
    monkeypatch.setattr(terms, "today", lambda zone: date(2026, 10, 1))
    fall = make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")
    spring = make_term("SPRING", "2027-01-11", "2027-05-28", name="Spring 2027")
    student = make_student(name="Ada Lovelace")
    for course in [make_course(code="MATH-101", title="Algebra", term=fall,
                               meetings=["mon wed 09:00-10:00 B12"]),
                   make_course(code="BIO-1", title="Cells", term=fall),
                   make_course(code="HIS-1", title="History", meetings=["tue 14:00-15:00"]),
                   make_course(code="ART-1", title="Drawing", term=spring)]:
        StudentCourse.create(student=student, course=course)
    make_course(code="PHY-201", title="Physics", term=fall, meetings=["fri 09:00-10:00"])
    return student


def test_the_summary_lists_the_terms_courses_before_the_checklist(client, ada):
    with assert_query_count(6):  # the summary comes from the week's query: no new one
        html = client.get(f"/students/{ada.id}").get_data(as_text=True)
    assert summary(html) == [("BIO-1", "Cells", "No meeting times"),
                             ("HIS-1", "History", "Tue 14:00–15:00"),
                             ("MATH-101", "Algebra", "Mon, Wed 09:00–10:00, room B12")]
    assert "Enrolled — Fall 2026" in html
    assert html.index('id="course-summary"') < html.index('id="checklist"')


def test_the_summary_follows_the_term_shown(client, ada):
    spring = terms.list_terms()[-1]
    html = client.get(f"/students/{ada.id}?term={spring.id}").get_data(as_text=True)
    assert [code for code, _, _ in summary(html)] == ["ART-1", "HIS-1"]
    html = client.get(f"/students/{ada.id}?term=none").get_data(as_text=True)
    assert [code for code, _, _ in summary(html)] == ["HIS-1"]


def test_a_student_in_nothing_is_told_so(client, make_student):
    html = client.get(f"/students/{make_student().id}").get_data(as_text=True)
    assert "Not enrolled in any course here yet." in html


@pytest.mark.parametrize("code, ticked, expected", [
    ("PHY-201", True, ["BIO-1", "HIS-1", "MATH-101", "PHY-201"]),
    ("BIO-1", False, ["HIS-1", "MATH-101"]),
])
def test_a_tick_redraws_the_summary_out_of_band(client, ada, code, ticked, expected):
    from webapp.models import Course
    course = Course.get(Course.code == code)
    html = client.post(f"/students/{ada.id}/courses/{course.id}", headers=HTMX,
                       data={"course_ids": [str(course.id)]} if ticked else {}
                       ).get_data(as_text=True)
    assert '<div id="course-summary" hx-swap-oob="true">' in html
    assert [line[0] for line in summary(html)] == expected


def test_history_is_one_link_away_at_the_top(client, ada):
    html = client.get(f"/students/{ada.id}").get_data(as_text=True)
    link = html.index('<a href="#history">History</a>')
    assert link < html.index('id="course-summary"') < html.index('id="checklist"')
    assert '<section id="history" class="card history"' in html
