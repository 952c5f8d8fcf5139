"""The student page by term: which term it shows, that term's checklist, and the week as a
timetable with clashes marked; the rules behind them."""
import re
from datetime import date

import pytest
from playhouse.test_utils import assert_query_count

from tests.conftest import meeting
from webapp.config import PROJECT_ROOT
from webapp.models import Course, StudentCourse, Term
from webapp.pages.timetable_css import stylesheet
from webapp.rules import terms
from webapp.rules.terms import default_term
from webapp.rules.timetable import lay_out


def term(code, starts, ends):
    return Term(code=code, name=code, starts_on=date.fromisoformat(starts),
                ends_on=date.fromisoformat(ends))


TERMS = [term("FALL", "2026-09-01", "2026-12-18"), term("SPRING", "2027-01-11", "2027-05-28")]


@pytest.mark.parametrize("today, expected", [
    ("2026-10-01", "FALL"),      # contains today
    ("2026-12-18", "FALL"),      # the last day is inside
    ("2026-12-25", "SPRING"),    # between terms: the next
    ("2026-06-01", "FALL"),      # before all: the next
    ("2027-07-01", "SPRING"),    # after all: the latest
])
def test_the_default_term(today, expected):
    assert default_term(TERMS, date.fromisoformat(today)).code == expected


def test_no_terms_no_default():
    assert default_term([], date(2026, 1, 1)) is None


def test_today_is_the_schools_day():
    assert terms.today("Pacific/Kiritimati") >= terms.today("Pacific/Pago_Pago")


# The layout --------------------------------------------------------------------------

def course(code, *meetings):
    return (hash(code), code, code.title(), [meeting(text) for text in meetings])


def test_the_layout_has_a_column_per_weekday_and_rows_from_the_first_hour():
    week = lay_out([course("MATH-1", "mon wed 09:00-09:50"), course("ART-1", "fri 13:15-15:00")])
    assert week.days == ("mon", "tue", "wed", "thu", "fri")
    assert (week.first_hour, week.last_hour) == (9, 15)
    assert [(b.code, b.day) for b in week.blocks] == [("MATH-1", "mon"), ("MATH-1", "wed"),
                                                      ("ART-1", "fri")]
    first, _, art = week.blocks
    assert (week.row(first.start), week.rows_spanned(first)) == (2, 10)   # 09:00, 50 min
    assert (week.row(art.start), week.rows_spanned(art)) == (53, 21)      # 13:15, 1 h 45
    assert week.column("fri") == 6 and not week.clash_count


def test_weekend_days_appear_only_when_used():
    assert lay_out([course("PE-1", "sun 10:00-11:00")]).days[-1] == "sun"
    assert "sat" not in lay_out([course("PE-1", "sun 10:00-11:00")]).days


def test_overlapping_meetings_sit_side_by_side_and_are_marked():
    week = lay_out([course("MATH-1", "mon 09:00-10:00"), course("PHY-1", "mon 09:30-10:30"),
                    course("ART-1", "mon 10:00-11:00"), course("BIO-1", "mon 11:00-12:00")])
    placed = {b.code: (b.lane, b.lanes, b.clashes_with) for b in week.blocks}
    assert placed == {"MATH-1": (0, 2, ["PHY-1"]), "PHY-1": (1, 2, ["MATH-1", "ART-1"]),
                      "ART-1": (0, 2, ["PHY-1"]),     # back to back with MATH-1: no clash
                      "BIO-1": (0, 1, [])}
    assert week.clash_count == 3


def test_courses_without_meetings_are_listed_apart():
    week = lay_out([course("MATH-1"), course("ART-1", "tue 08:00-09:00")])
    assert week.unscheduled == [("MATH-1", "Math-1")]
    assert lay_out([course("MATH-1")]).blocks == []


def test_the_committed_timetable_stylesheet_is_up_to_date():
    assert (PROJECT_ROOT / "static/css/timetable.css").read_text() == stylesheet()


# The student page ----------------------------------------------------------------------

@pytest.fixture
def school(make_student, make_course, make_term, monkeypatch):
    """Ada, in FALL: MATH-101 and PHY-201 (clashing Monday 9:30-10:00), a no-term HIS-1;
    SPRING has MATH-201. Today is in FALL."""
    monkeypatch.setattr(terms, "today", lambda zone: date(2026, 10, 1))
    fall = make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")
    spring = make_term("SPRING", "2027-01-11", "2027-05-28", name="Spring 2027")
    ada = make_student(name="Ada Lovelace")
    taken = [make_course(code="MATH-101", title="Algebra", term=fall,
                         meetings=["mon wed 09:00-10:00 B12"]),
             make_course(code="PHY-201", title="Physics", term=fall,
                         meetings=["mon 09:30-10:45"]),
             make_course(code="HIS-1", title="History", meetings=["tue 14:00-15:00"])]
    for course_ in taken:
        StudentCourse.create(student=ada, course=course_)
    make_course(code="ART-1", title="Drawing", term=fall, meetings=["fri 13:00-14:00"])
    make_course(code="MATH-201", title="Calculus", term=spring)
    return ada, fall, spring


def checklist_codes(html):
    return re.findall(r'<label for="course-\d+">([A-Z0-9-]+) —', html)


def test_the_page_opens_on_the_term_of_today_with_its_courses_and_week(client, school):
    ada, fall, _ = school
    html = client.get(f"/students/{ada.id}").get_data(as_text=True)
    assert re.search(r'<option value="%d" selected>Fall 2026 \(1 Sep 2026' % fall.id, html)
    assert '<option value="none">No term</option>' in html
    assert checklist_codes(html) == ["ART-1", "MATH-101", "PHY-201"]
    assert "Week — Fall 2026" in html
    week = html[html.index('id="timetable"'):html.index('id="courses-heading"')]
    assert re.findall(r"<strong>([A-Z0-9-]+)</strong>", week) == [
        "MATH-101", "PHY-201", "HIS-1", "MATH-101"]   # Mon, Mon, Tue, Wed; no-term HIS-1 too
    assert week.count("tt-clash\"") == 2 and "Clash with PHY-201" in week
    assert "2 meetings overlap another" in week
    assert '<span class="meets" id="meets-' in html and "Fri 13:00–14:00" in html


def test_another_term_and_no_term(client, school):
    ada, _, spring = school
    html = client.get(f"/students/{ada.id}?term={spring.id}").get_data(as_text=True)
    assert checklist_codes(html) == ["MATH-201"]
    assert "Week — Spring 2027" in html and "HIS-1" in html   # no-term courses meet always
    none = client.get(f"/students/{ada.id}?term=none").get_data(as_text=True)
    assert checklist_codes(none) == ["HIS-1"] and "Week — No term" in none
    assert 'name="term" value="none"' in none                  # kept by filter and save
    assert client.get(f"/students/{ada.id}?term=999").status_code == 404


def test_saving_without_js_comes_back_to_the_same_term(client, school):
    ada, _, spring = school
    response = client.post(f"/students/{ada.id}/courses",
                           data={"term": str(spring.id), "listed": []})
    assert response.headers["Location"].endswith(f"/students/{ada.id}?term={spring.id}")


def test_without_terms_the_page_lists_every_course_and_no_switcher(client, make_student,
                                                                   make_course):
    student = make_student()
    make_course(code="ART-1", meetings=["mon 09:00-10:00"])
    html = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert checklist_codes(html) == ["ART-1"] and 'id="term"' not in html
    assert "No course with meeting times in this week yet." in html


def test_the_page_costs_six_queries_however_many_meetings(client, make_student, make_course,
                                                          make_term):
    fall = make_term("FALL", "2026-09-01", "2026-12-18")
    student = make_student()
    slots = [f"{day} {hour:02d}:00-{hour:02d}:50" for day in ("mon", "tue", "wed", "thu", "fri")
             for hour in range(8, 16)]
    for n in range(60):
        course_ = make_course(term=fall, meetings=slots[n % 40:n % 40 + 3])
        if n < 12:
            StudentCourse.create(student=student, course=course_)
    with assert_query_count(6):  # session, student, terms, checklist, timetable, history
        html = client.get(f"/students/{student.id}?term={fall.id}").get_data(as_text=True)
    assert html.count('class="tt-block') == 36


def tick(client, student, course):
    return client.post(f"/students/{student.id}/courses/{course.id}",
                       data={"course_ids": [str(course.id)]},
                       headers={"HX-Request": "true"}).get_data(as_text=True)


def test_a_toggle_refreshes_the_timetable_out_of_band(client, school, make_course):
    ada, fall, _ = school
    art = Course.get(Course.code == "ART-1")
    html = tick(client, ada, art)
    assert '<div id="timetable" class="timetable" hx-swap-oob="true">' in html
    assert "<strong>ART-1</strong>" in html
    assert 'id="meets-%d">Fri 13:00–14:00' % art.id in html
    # a course without meeting times joins the list under the week
    html = tick(client, ada, make_course(code="ART-2", title="Sketching", term=fall))
    assert "Without meeting times: ART-2 — Sketching." in html


def test_utc_needs_no_time_zone_database():
    from datetime import timezone
    assert terms.school_zone("UTC") is timezone.utc
