"""The command line: migrations and demo data."""
from pathlib import Path

from webapp.models import Course, EnrollmentEvent, Student, StudentCourse, Term
from webapp.rules.prerequisites import groups_of
from webapp.rules.schedule import meetings_of
from webapp.rules.timetable import student_week

from .conftest import MIGRATIONS_DIR


def test_seed_demo_loads_realistic_data_and_twice_changes_nothing(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (Student.select().count(), Course.select().count(), StudentCourse.select().count())
    assert counts[0] == 300 and counts[1] == 50 and 200 <= counts[2] <= 1000
    assert all(" " in s.name for s in Student.select().limit(20))
    assert not [c for c in Course.select() if c.capacity and c.enrolled_count > c.capacity]
    nearly_full = Course.get(Course.code == "ALG-210")
    assert nearly_full.seats_left == 1

    second = runner.invoke(args=["seed-demo"])

    assert "added 0 terms, 0 students, 0 courses, 0 enrollments" in second.output
    assert (Student.select().count(), Course.select().count(),
            StudentCourse.select().count()) == counts


def test_seed_demo_has_two_terms_meetings_prerequisites_and_one_shown_clash(runner):
    runner.invoke(args=["seed-demo"])
    fall, spring = Term.select().order_by(Term.starts_on)
    courses = list(Course.select())
    assert {c.term_id for c in courses} == {fall.id, spring.id}
    meetings = meetings_of([c.id for c in courses])
    assert all(meetings[c.id] for c in courses)
    needs = groups_of([c.id for c in courses if c.term_id == spring.id])
    assert sum(1 for groups in needs.values() if groups) >= 2
    # the first student on the list sees a clash (an override, with its reason) ...
    first = Student.select().order_by(*Student.by_name()).first()
    week, _ = student_week(first.id, fall.id)
    assert week.blocks and week.clash_count >= 2
    (event,) = EnrollmentEvent.select().where(EnrollmentEvent.override_reason.is_null(False))
    assert event.student_id == first.id and "approved" in event.override_reason
    # ... and nobody else has one
    clashing = [s.id for s in Student.select() if student_week(s.id, fall.id)[0].clash_count]
    assert clashing == [first.id]


def test_seed_demo_never_overfills_a_course_changed_by_users(runner, make_student):
    runner.invoke(args=["seed-demo"])
    course = Course.get(Course.code == "ALG-210")
    StudentCourse.create(student=make_student(), course=course)  # the last seat taken
    StudentCourse.delete().where(StudentCourse.course == course,
                                 StudentCourse.student == course.students.first()).execute()
    runner.invoke(args=["seed-demo"])
    assert Course.get_by_id(course.id).enrolled_count <= course.capacity


def test_db_status_downgrade_and_upgrade_commands(runner):
    migrations = len(list(Path(MIGRATIONS_DIR).glob("0*.py")))
    status = runner.invoke(args=["db", "status"])
    assert status.output.count("applied ") == migrations
    down = runner.invoke(args=["db", "downgrade", "--to", "2"])
    assert "reverted 0003_course_enrolled_count" in down.output
    assert "reverted 0005_enrollment_events" in down.output
    assert runner.invoke(args=["db", "status"]).output.count("pending") == migrations - 2
    up = runner.invoke(args=["db", "upgrade"])
    assert "applied 0003_course_enrolled_count" in up.output
    assert "database is up to date" in runner.invoke(args=["db", "upgrade"]).output
    runner.invoke(args=["db", "downgrade", "--to", "0"])
    assert "nothing to roll back" in runner.invoke(args=["db", "downgrade"]).output


def test_seed_demo_leaves_out_a_student_whose_week_changed_since(runner):
    runner.invoke(args=["seed-demo"])
    course = Course.get(Course.code == "BIO-101")           # Mon/Wed/Fri 09:00
    roster = [sc.student_id for sc in StudentCourse.select().where(
        StudentCourse.course == course.id)]
    StudentCourse.delete().where(StudentCourse.course == course.id).execute()
    clashing = Course.get(Course.code == "MATH-101")         # the same slot
    busy = next(sid for sid in roster if not StudentCourse.select().where(
        StudentCourse.student == sid, StudentCourse.course == clashing.id).exists())
    StudentCourse.create(student=busy, course=clashing)

    again = runner.invoke(args=["seed-demo"])

    assert f"{len(roster) - 1} enrollments" in again.output
    back = {sc.student_id for sc in StudentCourse.select().where(
        StudentCourse.course == course.id)}
    assert back == set(roster) - {busy}
