"""Schedule clashes, prerequisites and the registrar's override, at enrollment time."""
import pytest
from playhouse.test_utils import assert_query_count, count_queries

from tests.conftest import meeting
from webapp.models import Course, EnrollmentEvent, StudentCourse
from webapp.rules import enrollment
from webapp.rules.conflicts import (
    MissingPrerequisite,
    Override,
    ScheduleClash,
    clean_override,
)
from webapp.rules.enrollment import CourseFull, EnrollmentConflicts

TERMS = {"FALL": ("2026-09-01", "2026-12-18"), "SPRING": ("2027-01-11", "2027-05-28"),
         "WINTER": ("2026-12-01", "2027-01-31"),      # overlaps the end of FALL
         "SUMMER": ("2027-06-07", "2027-08-13")}


@pytest.fixture
def terms(make_term):
    return {code: make_term(code, *dates) for code, dates in TERMS.items()}


def enrolled_pairs():
    return sorted((r.student_id, r.course_id) for r in StudentCourse.select())


def refusal(student, course_ids, **kwargs):
    with pytest.raises(EnrollmentConflicts) as error:
        enrollment.change_enrollments(student.id, add=course_ids, **kwargs)
    return error.value


# The overlap rule: one table, checked in SQL (at enrollment) and in Python (timetable) --

OVERLAP_CASES = {
    # name: (meeting A, term of A, meeting B, term of B, expected clash (day, start, end))
    "same start": ("mon 09:00-10:00", "FALL", "mon 09:00-09:30", "FALL",
                   [("mon", "09:00", "09:30")]),
    "contained": ("mon 09:00-12:00", "FALL", "mon 10:00-11:00", "FALL",
                  [("mon", "10:00", "11:00")]),
    "partly overlapping": ("mon 09:00-10:00", "FALL", "mon 09:30-10:30", "FALL",
                           [("mon", "09:30", "10:00")]),
    "touching (back to back)": ("mon 09:00-10:00", "FALL", "mon 10:00-11:00", "FALL", []),
    "other day": ("mon 09:00-10:00", "FALL", "tue 09:00-10:00", "FALL", []),
    "one shared day of several": ("mon wed 09:00-10:00", "FALL", "wed fri 09:00-10:00",
                                  "FALL", [("wed", "09:00", "10:00")]),
    "two shared days": ("mon wed 09:00-10:00", "FALL", "mon wed 09:30-11:00", "FALL",
                        [("mon", "09:30", "10:00"), ("wed", "09:30", "10:00")]),
    "other term": ("mon 09:00-10:00", "FALL", "mon 09:00-10:00", "SPRING", []),
    "overlapping terms": ("mon 09:00-10:00", "FALL", "mon 09:00-10:00", "WINTER",
                          [("mon", "09:00", "10:00")]),
    "no term and a term": ("mon 09:00-10:00", None, "mon 09:00-10:00", "SPRING",
                           [("mon", "09:00", "10:00")]),
    "both without a term": ("mon 09:00-10:00", None, "mon 09:30-10:30", None,
                            [("mon", "09:30", "10:00")]),
}


@pytest.mark.parametrize("case", OVERLAP_CASES.values(), ids=OVERLAP_CASES.keys())
def test_the_overlap_rule_at_enrollment(make_student, make_course, terms, case):
    a_meeting, a_term, b_meeting, b_term, expected = case
    student = make_student()
    taken = make_course(code="PHY-201", term=terms.get(b_term), meetings=[b_meeting])
    StudentCourse.create(student=student, course=taken)
    adding = make_course(code="MATH-101", term=terms.get(a_term), meetings=[a_meeting])

    if not expected:
        assert enrollment.enroll(student.id, [adding.id]).enrolled == [adding.id]
        return
    error = refusal(student, [adding.id])
    assert [(c.day, c.as_json()["start"], c.as_json()["end"]) for c in error.conflicts] \
        == expected
    assert {(c.course_id, c.with_course_id, c.type) for c in error.conflicts} == {
        (adding.id, taken.id, "schedule_clash")}
    assert enrolled_pairs() == [(student.id, taken.id)]


@pytest.mark.parametrize("case", [c for c in OVERLAP_CASES.values() if c[1] == c[3]],
                         ids=[k for k, c in OVERLAP_CASES.items() if c[1] == c[3]])
def test_the_overlap_rule_in_python_agrees(case):
    a_meeting, _, b_meeting, _, expected = case
    clash = meeting(a_meeting).clashes_with(meeting(b_meeting))
    found = [] if clash is None else [
        (day, f"{clash[1] // 60:02d}:{clash[1] % 60:02d}",
         f"{clash[2] // 60:02d}:{clash[2] % 60:02d}") for day in clash[0]]
    assert found == expected


def test_a_clash_says_which_course_when_and_in_words(make_student, make_course):
    student = make_student()
    physics = make_course(code="PHY-201", meetings=["mon wed 09:00-10:00"])
    StudentCourse.create(student=student, course=physics)
    maths = make_course(code="MATH-101", meetings=["mon 09:30-11:00"])

    (clash,) = refusal(student, [maths.id]).conflicts

    assert clash.message == "Clashes with PHY-201, Mon 09:30–10:00"
    assert clash.as_json() == {"type": "schedule_clash", "course_id": maths.id,
                               "with_course_id": physics.id, "day": "mon",
                               "start": "09:30", "end": "10:00"}


def test_a_clash_within_one_request_is_reported_once_on_the_later_course(make_student,
                                                                         make_course):
    student = make_student()
    first = make_course(code="ART-1", meetings=["tue 13:00-14:00"])
    second = make_course(code="ART-2", meetings=["tue 13:30-15:00"])
    calm = make_course(code="ART-3", meetings=["tue 15:00-16:00"])

    error = refusal(student, [second.id, calm.id, first.id])

    assert [(c.course_id, c.with_course_id) for c in error.conflicts] == [(first.id, second.id)]
    assert enrolled_pairs() == []


def test_dropping_a_course_in_the_same_change_frees_its_times(make_student, make_course):
    student = make_student()
    old = make_course(meetings=["fri 09:00-10:00"])
    StudentCourse.create(student=student, course=old)
    new = make_course(meetings=["fri 09:00-10:00"])
    result = enrollment.change_enrollments(student.id, add=[new.id], remove=[old.id])
    assert (result.enrolled, result.removed) == ([new.id], [old.id])


def test_courses_without_meetings_never_clash(make_student, make_course):
    student = make_student()
    StudentCourse.create(student=student, course=make_course(meetings=["mon 09:00-10:00"]))
    assert enrollment.enroll(student.id, [make_course().id, make_course().id]).enrolled


# Prerequisites ---------------------------------------------------------------------

PREREQUISITE_CASES = {
    # name: (taken: [(code, term)], needs, term of the course, missing groups)
    "met in an earlier term": ([("MATH-101", "FALL")], [["MATH-101"]], "SPRING", []),
    "same term does not count": ([("MATH-101", "SPRING")], [["MATH-101"]], "SPRING",
                                 [["MATH-101"]]),
    "a term still running does not count": ([("MATH-101", "WINTER")], [["MATH-101"]],
                                            "SPRING", [["MATH-101"]]),
    "a no-term course does not count for a term": ([("MATH-101", None)], [["MATH-101"]],
                                                   "SPRING", [["MATH-101"]]),
    "any enrollment counts for a no-term course": ([("MATH-101", "SPRING")], [["MATH-101"]],
                                                   None, []),
    "one of a group (or)": ([("MATH-100", "FALL")], [["MATH-101", "MATH-100"]], "SPRING",
                            []),
    "every group (and)": ([("MATH-101", "FALL")], [["MATH-101"], ["PHY-101"]], "SPRING",
                          [["PHY-101"]]),
    "nothing taken": ([], [["MATH-100", "MATH-101"], ["PHY-101"]], "SUMMER",
                      [["MATH-100", "MATH-101"], ["PHY-101"]]),
}


@pytest.mark.parametrize("case", PREREQUISITE_CASES.values(), ids=PREREQUISITE_CASES.keys())
def test_prerequisites(make_student, make_course, terms, case):
    taken, needs, term, missing = case
    student = make_student()
    for code, taken_term in taken:
        StudentCourse.create(student=student,
                             course=make_course(code=code, term=terms.get(taken_term)))
    course = make_course(code="MATH-201", term=terms.get(term), prerequisites=needs)

    if not missing:
        assert enrollment.enroll(student.id, [course.id]).enrolled == [course.id]
        return
    error = refusal(student, [course.id])
    assert [list(c.requires) for c in error.conflicts] == missing
    assert all(isinstance(c, MissingPrerequisite) for c in error.conflicts)


def test_a_missing_prerequisite_in_words(make_student, make_course, terms):
    course = make_course(code="MATH-201", term=terms["SPRING"],
                         prerequisites=[["MATH-101", "MATH-100"], ["PHY-101"]])
    error = refusal(make_student(), [course.id])
    assert [c.message for c in error.conflicts] == ["Needs MATH-100 or MATH-101 first",
                                                    "Needs PHY-101 first"]
    assert error.conflicts[0].as_json() == {"type": "missing_prerequisite",
                                            "course_id": course.id,
                                            "requires": ["MATH-100", "MATH-101"]}


def test_a_course_added_in_the_same_request_does_not_meet_a_prerequisite(
        make_student, make_course, terms):
    student = make_student()
    first = make_course(code="MATH-101", term=terms["FALL"])
    then = make_course(code="MATH-201", term=terms["SPRING"], prerequisites=[["MATH-101"]])
    error = refusal(student, [first.id, then.id])
    assert [(c.course_id, c.requires) for c in error.conflicts] == [(then.id, ("MATH-101",))]
    enrollment.enroll(student.id, [first.id])
    assert enrollment.enroll(student.id, [then.id]).enrolled == [then.id]


def test_dropping_the_prerequisite_in_the_same_change_is_refused(make_student, make_course,
                                                                 terms):
    student = make_student()
    first = make_course(code="MATH-101", term=terms["FALL"])
    StudentCourse.create(student=student, course=first)
    then = make_course(code="MATH-201", term=terms["SPRING"], prerequisites=[["MATH-101"]])
    refusal(student, [then.id], remove=[first.id])


# Refusal, all reasons at once, and the override -------------------------------------

@pytest.fixture
def crowded(make_student, make_course, terms):
    """A student in PHY-201 (Mon 9-10); MATH-201 clashes with it and needs MATH-101."""
    student = make_student()
    physics = make_course(code="PHY-201", term=terms["SPRING"], meetings=["mon 09:00-10:00"])
    StudentCourse.create(student=student, course=physics)
    maths = make_course(code="MATH-201", term=terms["SPRING"], capacity=1,
                        meetings=["mon 09:00-10:00 B12"], prerequisites=[["MATH-101"]])
    return student, physics, maths


def test_every_reason_is_listed_and_nothing_is_written(crowded, make_student, db_snapshot):
    student, _, maths = crowded
    before = db_snapshot()
    error = refusal(student, [maths.id])
    assert [type(c) for c in error.conflicts] == [ScheduleClash, MissingPrerequisite]
    assert error.full_course_ids == []
    assert "MATH-201: Clashes with PHY-201, Mon 09:00–10:00" in str(error)
    assert db_snapshot() == before


def test_a_full_course_is_named_beside_the_conflicts(crowded, make_student):
    student, _, maths = crowded
    StudentCourse.create(student=make_student(), course=maths)
    assert refusal(student, [maths.id]).full_course_ids == [maths.id]


def test_an_override_enrolls_despite_conflicts_and_records_the_reason(crowded, make_course):
    student, _, maths = crowded
    other = make_course(code="ART-1")
    reason = "Took MATH-101 abroad; PHY-201 lab moves to Tuesday."

    result = enrollment.change_enrollments(student.id, add=[maths.id, other.id],
                                           override=Override(reason))

    assert result.enrolled == [maths.id, other.id]
    reasons = dict(EnrollmentEvent.select(EnrollmentEvent.course, EnrollmentEvent.override_reason)
                   .tuples())
    assert reasons == {maths.id: reason, other.id: None}  # ART-1 needed no override


def test_an_override_does_not_exceed_capacity_unless_it_says_so(crowded, make_student):
    student, _, maths = crowded
    StudentCourse.create(student=make_student(), course=maths)  # the one seat is gone
    with pytest.raises(CourseFull):
        enrollment.enroll(student.id, [maths.id], override=Override("needed"))

    enrollment.enroll(student.id, [maths.id], override=Override("needed", over_capacity=True))

    assert Course.get_by_id(maths.id).enrolled_count == 2
    assert EnrollmentEvent.get(EnrollmentEvent.student == student.id).override_reason == "needed"


def test_an_over_capacity_override_alone_records_its_reason(make_student, make_course):
    course = make_course(capacity=1)
    StudentCourse.create(student=make_student(), course=course)
    student = make_student()
    enrollment.enroll(student.id, [course.id], override=Override("room has space", True))
    assert EnrollmentEvent.get().override_reason == "room has space"


@pytest.mark.parametrize("reason, over_capacity, problem", [
    ("", False, "Say why"), ("   ", False, "Say why"), (None, False, "Say why"),
    ("x" * 501, False, "At most 500"), ("a\x00b", False, "not allowed")])
def test_an_override_needs_a_reason_of_1_to_500_characters(reason, over_capacity, problem):
    override, errors = clean_override(reason, over_capacity)
    assert override is None and problem in errors["reason"]


def test_a_good_reason_is_trimmed_and_kept():
    assert clean_override("  because  ", 1) == (Override("because", True), {})
    assert clean_override("x" * 500)[0].reason == "x" * 500


def test_undoing_a_removal_is_refused_when_the_slot_is_taken_since(make_student, make_course):
    student = make_student()
    old = make_course(code="ART-1", meetings=["thu 10:00-11:00"])
    enrollment.enroll(student.id, [old.id])
    enrollment.unenroll(student.id, old.id)
    event = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll")
    enrollment.enroll(student.id, [make_course(code="ART-2", meetings=["thu 10:30-12:00"]).id])
    with pytest.raises(EnrollmentConflicts):
        enrollment.undo_unenroll(event.id, student.id)


def test_bulk_enrollment_names_each_student_who_would_clash(make_student, make_course,
                                                            db_snapshot):
    free, busy = make_student(), make_student()
    StudentCourse.create(student=busy, course=make_course(code="PHY-1",
                                                          meetings=["mon 09:00-10:00"]))
    course = make_course(code="MATH-1", meetings=["mon 09:30-10:30"])
    before = db_snapshot()
    with pytest.raises(EnrollmentConflicts) as error:
        enrollment.enroll_students(course.id, [free.id, busy.id])
    assert [(c.student_id, c.with_code) for c in error.value.conflicts] == [(busy.id, "PHY-1")]
    assert db_snapshot() == before


# Query budget ----------------------------------------------------------------------

def schedule_of_size(make_course, student, size):
    """`size` courses the student is in and `size` new ones, each with 5 meetings and a
    prerequisite; every new one clashes with one of theirs."""
    slots = [f"{day} {hour:02d}:00-{hour:02d}:50" for day in ("mon", "tue", "wed", "thu", "fri")
             for hour in range(8, 18)]
    taken = [make_course(code=f"OLD-{n}", meetings=slots[:5]) for n in range(size)]
    StudentCourse.insert_many([{"student": student.id, "course": c.id} for c in taken]).execute()
    return [make_course(code=f"NEW-{n}", meetings=slots[:5], prerequisites=[["OLD-0"]]).id
            for n in range(size)]


@pytest.mark.parametrize("size", [1, 40])
def test_an_enroll_with_conflicts_costs_the_same_queries_however_many_courses(
        make_student, make_course, size):
    student = make_student()
    new = schedule_of_size(make_course, student, size)
    # unlocked read, locked courses, student + current rows, the conflict check
    with assert_query_count(4), pytest.raises(EnrollmentConflicts) as error:
        enrollment.enroll(student.id, new)
    assert len(error.value.conflicts) == size * size * 5 + (size - 1) * size // 2 * 5
    # ... and with an override: the same, plus the insert and the history rows
    with assert_query_count(6):
        enrollment.enroll(student.id, new, override=Override("timetable is being redone"))


def test_bulk_enrollment_with_conflicts_costs_the_same_queries_however_many_students(
        make_student, make_course):
    course = make_course(meetings=["mon 09:00-10:00", "wed 09:00-10:00"])
    other = make_course(meetings=["mon 09:00-10:00"])
    counts = []
    for size in (1, 30):
        students = [make_student() for _ in range(size)]
        StudentCourse.insert_many([{"student": s.id, "course": other.id}
                                   for s in students]).execute()
        with count_queries() as counter, pytest.raises(EnrollmentConflicts):
            enrollment.enroll_students(course.id, [s.id for s in students])
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_the_refusal_says_each_clash_once_with_its_days(make_student, make_course):
    student = make_student()
    StudentCourse.create(student=student, course=make_course(
        code="PHY-201", meetings=["mon wed 09:00-10:00", "fri 14:00-15:00"]))
    maths = make_course(code="MATH-101", meetings=["mon wed fri 09:30-10:30"],
                        prerequisites=[["ALG-1"]])
    error = refusal(student, [maths.id])
    assert str(error) == ("MATH-101: Clashes with PHY-201, Mon, Wed 09:30–10:00; "
                          "Needs ALG-1 first")
