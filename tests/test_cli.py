"""The command line: migrations and demo data."""
from webapp.models import Course, Student, StudentCourse


def test_seed_demo_loads_realistic_data_and_twice_changes_nothing(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (Student.select().count(), Course.select().count(), StudentCourse.select().count())
    assert counts[0] == 300 and counts[1] == 40 and 200 <= counts[2] <= 1000
    assert all(" " in s.name for s in Student.select().limit(20))
    assert not [c for c in Course.select() if c.capacity and c.enrolled_count > c.capacity]
    nearly_full = Course.get(Course.code == "ALG-210")
    assert nearly_full.seats_left == 1

    second = runner.invoke(args=["seed-demo"])

    assert "added 0 students, 0 courses, 0 enrollments" in second.output
    assert (Student.select().count(), Course.select().count(),
            StudentCourse.select().count()) == counts


def test_seed_demo_never_overfills_a_course_changed_by_users(runner, make_student):
    runner.invoke(args=["seed-demo"])
    course = Course.get(Course.code == "ALG-210")
    StudentCourse.create(student=make_student(), course=course)  # the last seat taken
    StudentCourse.delete().where(StudentCourse.course == course,
                                 StudentCourse.student == course.students.first()).execute()
    runner.invoke(args=["seed-demo"])
    assert Course.get_by_id(course.id).enrolled_count <= course.capacity


def test_db_status_downgrade_and_upgrade_commands(runner):
    status = runner.invoke(args=["db", "status"])
    assert status.output.count("applied ") == 8
    down = runner.invoke(args=["db", "downgrade", "--to", "2"])
    assert "reverted 0003_course_enrolled_count" in down.output
    assert "reverted 0005_enrollment_events" in down.output
    assert runner.invoke(args=["db", "status"]).output.count("pending") == 6
    up = runner.invoke(args=["db", "upgrade"])
    assert "applied 0003_course_enrolled_count" in up.output
    assert "database is up to date" in runner.invoke(args=["db", "upgrade"]).output
    runner.invoke(args=["db", "downgrade", "--to", "0"])
    assert "nothing to roll back" in runner.invoke(args=["db", "downgrade"]).output
