"""Term rollover: copy a term's courses into another (rules, page and command line)."""
import pytest

from webapp.models import Course, StudentCourse
from webapp.rules import terms
from webapp.rules.prerequisites import groups_of
from webapp.rules.records import InvalidRecord, RecordNotFound
from webapp.rules.schedule import meetings_of


@pytest.fixture
def rollover(make_term, make_course, make_student):
    """FALL has three courses (one with a student); SPRING already has its own MATH-101."""
    fall = make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")
    spring = make_term("SPRING", "2027-01-11", "2027-05-28", name="Spring 2027")
    algebra = make_course(code="MATH-101", title="Algebra", term=fall, capacity=30,
                          meetings=["mon wed 09:00-10:00 B12"])
    make_course(code="MATH-201", title="Calculus", term=fall, capacity=20,
                meetings=["tue 10:00-11:00", "thu 10:00-11:30 M2"],
                prerequisites=[["MATH-101", "MATH-100"]])
    make_course(code="ART-1", title="Drawing", term=fall)
    StudentCourse.create(student=make_student(), course=algebra)
    make_course(code="MATH-101", title="Algebra (new syllabus)", term=spring, capacity=12)
    make_course(code="HIS-1", title="History")  # no term: not part of any rollover
    return fall, spring


def in_term(term):
    return {c.code: c for c in Course.select().where(Course.term == term.id)}


def test_copying_brings_codes_titles_capacity_meetings_and_prerequisites(rollover):
    fall, spring = rollover
    result = terms.copy_courses(fall.id, spring.id)

    assert (result.copied, result.skipped) == (["ART-1", "MATH-201"], ["MATH-101"])
    copied = in_term(spring)
    calculus = copied["MATH-201"]
    assert (calculus.title, calculus.capacity, calculus.enrolled_count) == ("Calculus", 20, 0)
    assert [m.text for m in meetings_of([calculus.id])[calculus.id]] == [
        "Tue 10:00–11:00", "Thu 10:00–11:30, room M2"]
    assert groups_of([calculus.id])[calculus.id] == [["MATH-100", "MATH-101"]]
    assert copied["ART-1"].capacity is None
    # what the target had is left alone, the source is unchanged, nobody is enrolled
    assert (copied["MATH-101"].title, copied["MATH-101"].capacity) == (
        "Algebra (new syllabus)", 12)
    assert meetings_of([copied["MATH-101"].id])[copied["MATH-101"].id] == []
    assert len(in_term(fall)) == 3
    assert StudentCourse.select().count() == 1


def test_copying_twice_copies_nothing_the_second_time(rollover):
    fall, spring = rollover
    terms.copy_courses(fall.id, spring.id)
    again = terms.copy_courses(fall.id, spring.id)
    assert again.copied == [] and again.skipped == ["ART-1", "MATH-101", "MATH-201"]
    assert len(in_term(spring)) == 3


def test_copying_into_the_same_or_an_unknown_term_is_refused(rollover):
    fall, _ = rollover
    with pytest.raises(InvalidRecord):
        terms.copy_courses(fall.id, fall.id)
    with pytest.raises(RecordNotFound):
        terms.copy_courses(fall.id, 999)


def test_the_terms_page_copies_and_reports(client, rollover):
    fall, spring = rollover
    page = client.get("/terms/").get_data(as_text=True)
    assert "Copy courses from term to term" in page
    response = client.post("/terms/copy", data={"source": fall.id, "target": spring.id})
    assert response.status_code == 303
    html = client.get("/terms/").get_data(as_text=True)
    assert ("Copied 2 courses from FALL to SPRING: ART-1, MATH-201. Left alone (already in "
            "SPRING): MATH-101.") in html
    client.post("/terms/copy", data={"source": fall.id, "target": fall.id})
    assert "Choose a different term to copy into." in client.get("/terms/").get_data(
        as_text=True)
    client.post("/terms/copy", data={"source": fall.id, "target": "x"})
    assert "Choose two terms that exist." in client.get("/terms/").get_data(as_text=True)


def test_staff_may_not_copy(staff_client, rollover):
    fall, spring = rollover
    assert "Copy courses" not in staff_client.get("/terms/").get_data(as_text=True)
    assert staff_client.post("/terms/copy", data={"source": fall.id,
                                                  "target": spring.id}).status_code == 403


def test_the_command_line_copies_by_term_code(runner, rollover):
    _, spring = rollover
    result = runner.invoke(args=["terms", "copy-courses", "fall", "SPRING"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["copied 2 courses from FALL to SPRING: ART-1 MATH-201",
                                          "left alone (already in SPRING): MATH-101"]
    assert len(in_term(spring)) == 3


@pytest.mark.parametrize("args, message", [(["FALL", "WINTER"], "there is no term 'WINTER'"),
                                           (["FALL", "FALL"], "Choose a different term")])
def test_the_command_line_says_what_is_wrong(runner, rollover, args, message):
    result = runner.invoke(args=["terms", "copy-courses", *args])
    assert result.exit_code == 1 and message in result.output
