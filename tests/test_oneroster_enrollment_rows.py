"""OneRoster import: the enrollment checks that span rows, made by the database on the
staged file (webapp/oneroster/staging.py) — repeats, links, conflicts, moves, history —
and the staging tables gone after every import."""
import pytest
from peewee import DatabaseError

from webapp.db import fetch_all
from webapp.models import Course, EnrollmentEvent, Student, StudentCourse
from webapp.oneroster import import_bundle
from webapp.oneroster.staging import TABLES
from webapp.rules import enrollment

from . import oneroster_bundles as b
from .test_oneroster_import import school

HEADER = b.ENROLLMENTS[0]


def enrollments(*rows):
    """enrollments.csv: the header, then (sourcedId, class, user[, status]) rows."""
    return [HEADER] + [[sid, status, "", klass, "org", user, "student", "", "", ""]
                       for sid, klass, user, status in (r if len(r) == 4 else (*r, "")
                                                        for r in rows)]


def run(tmp_path, options=None, **overrides):
    return import_bundle(b.write_zip(tmp_path / "bundle.zip", b.files(**overrides)),
                         **(options or {}))


def problems(items):
    return [(p.file, p.line, p.column, p.message) for p in items]


def pairs():
    return school()["enrollments"]


def test_a_repeated_sourced_id_keeps_the_first_row_and_names_it(database, tmp_path):
    report = run(tmp_path, enrollments=enrollments(("e-1", "k-phys1", "u-ada"),
                                                   ("e-2", "k-art", "u-bo"),
                                                   ("e-1", "k-art", "u-cy")))

    assert report.applied
    assert problems(report.errors) == [
        ("enrollments.csv", 4, "sourcedId", "Duplicate sourcedId 'e-1' (first on line 2); "
                                            "this row is skipped.")]
    assert pairs() == [("Ada Lovelace", "Phys 100 - 1"), ("Bo Li", "ÉTÉ-101")]


def test_the_same_student_and_class_twice_is_imported_once_with_a_warning(database,
                                                                         tmp_path):
    report = run(tmp_path, enrollments=enrollments(("e-1", "k-phys1", "u-ada"),
                                                   ("e-7", "k-phys1", "u-ada")))

    assert report.applied and report.errors == []
    assert ("enrollments.csv", 3, "sourcedId", "The same student and class as line 2; "
                                               "skipped.") in problems(report.warnings)
    assert report.created["enrollments"] == 1 and pairs() == [("Ada Lovelace", "Phys 100 - 1")]
    assert StudentCourse.get().sourced_id == "e-1"


def test_rows_of_a_student_or_class_with_an_error_are_skipped_and_say_which(
        database, tmp_path, make_student):
    make_student(name="Bo Other", email="bo@school.test")  # from another source: kept
    Student.update(sourced_id="other-bo").execute()
    users = [row if row[0] != "u-bo" else row[:12] + ["bo@school.test"] + row[13:]
             for row in b.USERS_11]
    classes = [row if row[0] != "k-art" else row[:6] + ["Phys 100 - 1"] + row[7:]
               for row in b.CLASSES]  # the same code as k-phys1 in the same term

    report = run(tmp_path, users=users, classes=classes, mode={"users": "delta"})

    assert report.applied
    rows = [p for p in problems(report.errors) if p[0] == "enrollments.csv"]
    assert rows == [
        ("enrollments.csv", 3, "userSourcedId", "Its class or student has an error; skipped."),
        ("enrollments.csv", 5, "classSourcedId", "Its class or student has an error; skipped.")]
    assert pairs() == [("Ada Lovelace", "Phys 100 - 1"), ("Cy Young", "PHYS-100")]


def test_an_enrollment_entered_by_hand_is_linked_not_duplicated(database, tmp_path):
    run(tmp_path, enrollments=enrollments(("e-1", "k-phys1", "u-ada")))
    ada, art = Student.get(Student.sourced_id == "u-ada"), Course.get(Course.code == "ÉTÉ-101")
    enrollment.enroll(ada.id, [art.id])
    events = EnrollmentEvent.select().count()

    report = run(tmp_path, enrollments=enrollments(("e-1", "k-phys1", "u-ada"),
                                                   ("e-4", "k-art", "u-ada")))

    assert report.applied and report.errors == []
    assert (report.created["enrollments"], report.updated["enrollments"]) == (0, 1)
    assert StudentCourse.get(StudentCourse.course == art.id).sourced_id == "e-4"
    assert EnrollmentEvent.select().count() == events  # nobody was enrolled again


def test_a_pair_held_under_another_sourced_id_is_an_error_and_left_alone(database, tmp_path):
    run(tmp_path, enrollments=enrollments(("e-1", "k-phys1", "u-ada")))

    report = run(tmp_path, mode={"enrollments": "delta"},
                 enrollments=enrollments(("e-8", "k-phys1", "u-ada")))

    assert problems(report.errors) == [
        ("enrollments.csv", 2, "sourcedId", "This student is already in this class under "
                                            "another sourcedId; skipped.")]
    assert [e.sourced_id for e in StudentCourse.select()] == ["e-1"]


def test_an_enrollment_moved_to_another_class_leaves_its_old_one(database, tmp_path):
    run(tmp_path, enrollments=enrollments(("e-1", "k-phys1", "u-ada")))

    report = run(tmp_path, {"allow_removals": True},
                 enrollments=enrollments(("e-1", "k-art", "u-ada")))

    assert report.applied and report.errors == []
    assert (report.created["enrollments"], report.removed["enrollments"]) == (1, 1)
    assert pairs() == [("Ada Lovelace", "ÉTÉ-101")]
    assert StudentCourse.get().sourced_id == "e-1"
    assert [e.action for e in EnrollmentEvent.select().order_by(EnrollmentEvent.id)] == [
        "enroll", "unenroll", "enroll"]


def test_each_imported_enrollment_has_one_history_event_by_the_import(database, tmp_path):
    report = run(tmp_path)

    events = list(EnrollmentEvent.select())
    assert len(events) == report.created["enrollments"] == 4
    assert {(e.action, e.actor_name, e.actor_id) for e in events} == {
        ("enroll", "OneRoster import", None)}
    assert sorted((e.student_id, e.course_id) for e in events) == sorted(
        (e.student_id, e.course_id) for e in StudentCourse.select())
    assert [c.enrolled_count for c in Course.select().order_by(Course.code)] == [1, 2, 1]


@pytest.mark.parametrize("options", [{}, {"dry_run": True}, {"strict": True}])
def test_the_staging_tables_are_gone_after_an_import(database, tmp_path, options):
    run(tmp_path, options, enrollments=enrollments(("e-1", "k-phys1", "u-ada"),
                                                   ("e-1", "k-art", "u-bo")))

    for table in TABLES:
        with pytest.raises(DatabaseError), database.atomic():
            fetch_all(f"SELECT 1 FROM {table}")
