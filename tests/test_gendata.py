"""`flask gen-data`: large, realistic, reproducible data sets in one transaction."""
from peewee import fn

from webapp.models import Course, Student, StudentCourse
from webapp.rules import enrollment


def gen(runner, students=300, courses=20, enrollments=1500, seed=7):
    return runner.invoke(args=["gen-data", "--students", str(students), "--courses",
                               str(courses), "--enrollments", str(enrollments),
                               "--seed", str(seed)])


def snapshot():
    """Everything generated, without ids (they depend on the database's sequences)."""
    students = sorted(Student.select(Student.name, Student.email, Student.student_number)
                      .tuples())
    courses = sorted(Course.select(Course.code, Course.title, Course.capacity,
                                   Course.enrolled_count).tuples())
    enrollments = sorted(StudentCourse.select(Student.email, Course.code,
                                              StudentCourse.enrolled_at)
                         .join_from(StudentCourse, Student)
                         .join_from(StudentCourse, Course).tuples())
    return students, courses, enrollments


def counts_match_rows():
    rows = dict(StudentCourse.select(StudentCourse.course, fn.COUNT(StudentCourse.course))
                .group_by(StudentCourse.course).tuples())
    return all(c.enrolled_count == rows.get(c.id, 0) for c in Course.select())


def test_gen_data_inserts_exactly_the_sizes_asked_and_reports_speed(runner):
    result = gen(runner)

    assert result.exit_code == 0, result.output
    assert "inserted 300 students, 20 courses, 1500 enrollments" in result.output
    assert "rows/s" in result.output
    assert (Student.select().count(), Course.select().count(),
            StudentCourse.select().count()) == (300, 20, 1500)


def test_generated_data_looks_real_and_respects_capacity(runner):
    gen(runner)

    assert counts_match_rows()
    limited = Course.select().where(Course.capacity.is_null(False))
    assert limited.count() >= 10
    assert not [c.code for c in limited if c.enrolled_count > c.capacity]
    student = Student.select().first()
    assert " " in student.name and "@" in student.email and student.student_number
    assert all("-" in c.code and c.title for c in Course.select())
    per_student = (StudentCourse.select(fn.COUNT(StudentCourse.course))
                   .group_by(StudentCourse.student).tuples())
    assert max(n for (n,) in per_student) > 1


def test_the_same_seed_gives_the_same_rows(runner):
    gen(runner, seed=11)
    first = snapshot()
    StudentCourse.delete().execute()
    Student.delete().execute()
    Course.delete().execute()

    gen(runner, seed=11)

    assert snapshot() == first


def test_a_different_seed_adds_a_different_data_set_beside_the_first(runner):
    gen(runner, seed=1)
    result = gen(runner, seed=2)

    assert result.exit_code == 0, result.output
    assert Student.select().count() == 600 and Course.select().count() == 40
    assert counts_match_rows()


def test_a_failed_run_writes_nothing_and_leaves_counting_on(runner, make_student):
    gen(runner, seed=3)
    before = snapshot()

    again = gen(runner, seed=3)  # same emails: the unique index refuses the lot

    assert again.exit_code != 0
    assert snapshot() == before
    course = Course.select().where(Course.capacity.is_null()).first() or Course.create(
        code="NEW-1", title="New")
    count = Course.get_by_id(course.id).enrolled_count
    enrollment.enroll(make_student().id, [course.id])
    assert Course.get_by_id(course.id).enrolled_count == count + 1


def test_gen_data_next_to_demo_data_avoids_taken_course_codes(runner):
    runner.invoke(args=["seed-demo"])

    result = gen(runner, courses=200, enrollments=3000)

    assert result.exit_code == 0, result.output
    assert Course.select().count() == 250  # the demo has 50
    assert counts_match_rows()


def test_impossible_sizes_are_refused_before_writing(runner):
    result = gen(runner, students=2, courses=2, enrollments=5)

    assert result.exit_code == 2
    assert "5 enrollments need more than 2 courses x 2 students" in result.output
    assert Student.select().count() == 0


def test_gen_data_gives_every_course_meeting_times_like_a_timetable(runner):
    from webapp.rules.schedule import meetings_of
    gen(runner)
    courses = [c.id for c in Course.select(Course.id)]
    meetings = meetings_of(courses)
    assert all(1 <= len(meetings[cid]) <= 2 for cid in courses)
    every = [m for listed in meetings.values() for m in listed]
    assert all(480 <= m.start < m.end <= 17 * 60 for m in every)
    assert {m.days for m in every} >= {("mon", "wed", "fri"), ("tue", "thu")}
    assert all(not m.clashes_with(other) for listed in meetings.values() if len(listed) == 2
               for m, other in [listed])


def test_gen_data_with_terms_spreads_courses_over_back_to_back_terms(runner):
    from webapp.models import Term
    result = runner.invoke(args=["gen-data", "--students", "50", "--courses", "9",
                                 "--enrollments", "100", "--seed", "3", "--terms", "3"])
    assert result.exit_code == 0, result.output
    assert "3 terms" in result.output
    terms = list(Term.select().order_by(Term.starts_on))
    assert [t.code for t in terms] == ["G3-T01", "G3-T02", "G3-T03"]
    assert all(a.ends_on < b.starts_on for a, b in zip(terms, terms[1:]))
    per_term = [Course.select().where(Course.term == t.id).count() for t in terms]
    assert per_term == [3, 3, 3]
    again = runner.invoke(args=["gen-data", "--students", "1", "--courses", "1",
                                "--enrollments", "0", "--seed", "3", "--terms", "1"])
    assert again.exit_code == 2 and "exist already" in again.output
