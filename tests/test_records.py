"""Student and course validation shared by pages and API."""
import pytest

from webapp.models import Course, Student
from webapp.rules import records
from webapp.rules.records import DuplicateRecord, InvalidRecord, RecordNotFound


def test_create_student_normalises_email_and_blank_number(database):
    student = records.create_student({"name": "  Ada Lovelace ", "email": "Ada@Example.EDU",
                                      "student_number": " "})
    assert (student.name, student.email, student.student_number) == (
        "Ada Lovelace", "ada@example.edu", None)


@pytest.mark.parametrize("data, field", [
    ({"name": "", "email": "a@b.co"}, "name"),
    ({"name": "A", "email": "not-an-email"}, "email"),
    ({"name": "A", "email": 5}, "email"),
    ({"name": "A" * 201, "email": "a@b.co"}, "name"),
    ({"name": "A", "email": "a@b.co", "student_number": "bad number!"}, "student_number"),
    ({"name": 5, "email": "a@b.co"}, "name"),
])
def test_invalid_students_name_the_field(database, data, field):
    with pytest.raises(InvalidRecord) as error:
        records.create_student(data)
    assert field in error.value.errors and error.value.status == 400
    assert Student.select().count() == 0


def test_duplicate_email_or_number_is_a_409_naming_the_field(database):
    records.create_student({"name": "A", "email": "a@b.co", "student_number": "S1"})
    with pytest.raises(DuplicateRecord) as error:
        records.create_student({"name": "B", "email": "A@B.CO", "student_number": "S1"})
    assert set(error.value.errors) == {"email", "student_number"}
    assert error.value.status == 409
    assert Student.select().count() == 1


def test_update_student_changes_only_given_fields(database):
    student = records.create_student({"name": "A", "email": "a@b.co"})
    records.update_student(student.id, {"name": "Ada"})
    student = Student.get_by_id(student.id)
    assert (student.name, student.email) == ("Ada", "a@b.co")
    records.update_student(student.id, {"email": "a@b.co"})  # keeping one's own email is fine


def test_missing_records_are_not_found(database):
    with pytest.raises(RecordNotFound):
        records.update_student(404, {"name": "x"})
    with pytest.raises(RecordNotFound):
        records.delete_student(404)
    with pytest.raises(RecordNotFound):
        records.update_course(404, {"title": "x"})


def test_delete_student(make_student):
    records.delete_student(make_student().id)
    assert Student.select().count() == 0


@pytest.mark.parametrize("code", ["math-101", "Phys 100 - 1", "ÉTÉ-101", "x" * 64])
def test_create_course_keeps_the_code_as_written(database, code):
    course = records.create_course({"code": f"  {code} ", "title": "Algebra", "capacity": None})
    assert (course.code, course.capacity, course.seats_left) == (code, None, None)


@pytest.mark.parametrize("code", ["x" * 65, "MATH\t101", "A\nB", "MATH\x07"])
def test_a_course_code_with_control_characters_or_too_long_is_refused(database, code):
    with pytest.raises(InvalidRecord) as error:
        records.create_course({"code": code, "title": "X"})
    assert "code" in error.value.errors and Course.select().count() == 0


def test_a_student_without_email_is_saved_with_none(database):
    student = records.create_student({"name": "Pupil", "email": "  "})
    other = records.create_student({"name": "Pupil Two", "email": None})
    assert (student.email, other.email) == (None, None)
    assert [s.email for s in Student.select().order_by(Student.id)] == [None, None]


@pytest.mark.parametrize("capacity", [0, -3, "12", 1.5, True])
def test_bad_capacity_is_refused(database, capacity):
    with pytest.raises(InvalidRecord) as error:
        records.create_course({"code": "X-1", "title": "X", "capacity": capacity})
    assert "capacity" in error.value.errors


def test_capacity_cannot_drop_below_enrollment(make_student, make_course):
    from webapp.rules.enrollment import enroll_students
    course = make_course(capacity=5)
    enroll_students(course.id, [make_student().id, make_student().id])
    with pytest.raises(InvalidRecord) as error:
        records.update_course(course.id, {"capacity": 1})
    assert "2 students are enrolled" in error.value.errors["capacity"]
    assert records.update_course(course.id, {"capacity": 2}).capacity == 2


def test_duplicate_course_code(database):
    records.create_course({"code": "ART-1", "title": "Art"})
    with pytest.raises(DuplicateRecord) as error:
        records.create_course({"code": "art-1", "title": "Other"})
    assert "code" in error.value.errors
    assert Course.select().count() == 1


def test_student_search_matches_name_email_or_number_in_any_case(make_student, make_course, database):
    from webapp.models import Student
    from webapp.rules.enrollment import enroll
    ada = make_student(name="Ada Lovelace", email="ada@school.test", student_number="S-0042")
    make_student(name="Grace Hopper", email="grace@school.test")
    enroll(ada.id, [make_course(code="MATH-101").id])
    for q in ["lovel", "ADA@", "0042"]:
        found = list(Student.search(q))
        assert [s.id for s in found] == [ada.id]
        assert found[0].course_count == 1
    assert len(list(Student.search(""))) == 2


def test_course_search_matches_code_or_title(make_course, database):
    from webapp.models import Course
    make_course(code="MATH-101", title="Algebra")
    make_course(code="HIST-200", title="Modern History")
    assert [c.code for c in Course.search("math")] == ["MATH-101"]
    assert [c.code for c in Course.search("history")] == ["HIST-200"]


def test_a_nul_character_is_refused_not_a_database_error(database):
    from webapp.rules import records
    with pytest.raises(records.InvalidRecord) as refused:
        records.create_student({"name": "Ada\x00", "email": "ada@school.test"})
    assert refused.value.errors == {"name": "Contains a character that is not allowed."}


@pytest.mark.parametrize("changes, field, message", [
    ({"term_id": "fall"}, "term_id", "Must be a term's id"),
    ({"term_id": True}, "term_id", "Must be a term's id"),
    ({"term_id": 42}, "term_id", "There is no term with id 42."),
    ({"meetings": "mon 9-10"}, "meetings", "Must be a list of meetings."),
    ({"meetings": [{"days": ["mon"], "start": "09:00", "end": "10:00"}] * 21}, "meetings",
     "At most 20 meetings."),
    ({"meetings": [{"days": ["mon"], "start": "09:00", "end": "10:00", "room": "R" * 33}]},
     "meetings.0.room", "At most 32 characters."),
    ({"prerequisites": [["MATH-101"], []]}, "prerequisites", "Must be groups of course codes."),
    ({"prerequisites": [[5]]}, "prerequisites", "Must be groups of course codes."),
    ({"prerequisites": [[f"A-{n}"] for n in range(21)]}, "prerequisites", "At most 20 groups"),
    ({"prerequisites": [[f"A-{n}" for n in range(11)]]}, "prerequisites", "At most 20 groups"),
])
def test_a_courses_term_meetings_and_prerequisites_are_checked(database, changes, field,
                                                               message):
    with pytest.raises(InvalidRecord) as error:
        records.create_course({"code": "MATH-201", "title": "Calculus", **changes})
    assert message in error.value.errors[field]
    assert Course.select().count() == 0
