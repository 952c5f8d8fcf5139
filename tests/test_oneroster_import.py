"""OneRoster import: mapping, re-import, modes, the removal guard, strict and dry run."""

from webapp.models import Course, Student, StudentCourse, Term
from webapp.oneroster import import_bundle

from . import oneroster_bundles as b


def school():
    """What the database holds, by natural keys (ids differ between databases)."""
    terms = {t.id: t.code for t in Term.select()}
    return {
        "terms": sorted((t.code, t.name, str(t.starts_on), str(t.ends_on)) for t in Term.select()),
        "students": sorted((s.name, s.email or "", s.student_number or "")
                           for s in Student.select()),
        "courses": sorted((c.code, c.title, terms.get(c.term_id, "")) for c in Course.select()),
        "enrollments": sorted((e.student.name, e.course.code) for e in
                              StudentCourse.select(StudentCourse, Student, Course)
                              .join(Student).switch(StudentCourse).join(Course)),
    }


def run(tmp_path, tables, **options):
    return import_bundle(b.write_zip(tmp_path / "bundle.zip", tables), **options)


def test_a_bundle_maps_sessions_classes_students_and_enrollments(database, tmp_path):
    report = run(tmp_path, b.files())

    assert report.applied and report.exit_code == 0, report.to_dict()
    body = report.to_dict()
    assert body["created"] == {"terms": 2, "students": 3, "courses": 3, "enrollments": 4}
    assert body["skipped"] == {"users_not_students": 1, "enrollments_not_students": 1}
    assert body["errors"] == [] and body["version"] == "1.1"
    assert school() == {
        "terms": [("T-FALL", "Fall 2026", "2026-09-01", "2026-12-18"),
                  ("T-SPRING", "Spring 2027", "2027-01-11", "2027-05-28")],
        "students": [("Ada Lovelace", "ada@school.test", "S-1"), ("Bo Li", "", ""),
                     ("Cy Young", "cy@school.test", "S-3")],
        "courses": [("PHYS-100", "Physics", "T-SPRING"),
                    ("Phys 100 - 1", "Physics, group 1", "T-FALL"),
                    ("ÉTÉ-101", "Drawing", "T-FALL")],
        "enrollments": [("Ada Lovelace", "Phys 100 - 1"), ("Ada Lovelace", "ÉTÉ-101"),
                        ("Bo Li", "Phys 100 - 1"), ("Cy Young", "PHYS-100")]}
    assert Student.get(Student.name == "Bo Li").sourced_id == "u-bo"
    assert StudentCourse.select().where(StudentCourse.sourced_id == "e-3").count() == 1


def created(report):
    return report.to_dict()["created"]


def test_importing_the_same_bundle_again_changes_nothing(database, tmp_path):
    run(tmp_path, b.files())
    before = school()

    again = run(tmp_path, b.files()).to_dict()

    assert again["applied"] and again["errors"] == []
    zero = dict.fromkeys(("terms", "students", "courses", "enrollments"), 0)
    assert (again["created"], again["updated"], again["removed"]) == (zero, zero, zero)
    assert school() == before


def test_version_1_2_takes_roles_from_roles_csv(database, tmp_path):
    report = run(tmp_path, b.files("1.2"))
    assert report.to_dict()["version"] == "1.2" and report.errors == []
    assert created(report) == {"terms": 2, "students": 3, "courses": 3, "enrollments": 4}
    assert report.skipped == {"users_not_students": 1, "enrollments_not_students": 1}


def test_a_dry_run_reports_the_counts_and_writes_nothing(database, tmp_path):
    report = run(tmp_path, b.files(), dry_run=True)
    assert (report.applied, report.dry_run, report.exit_code) == (False, True, 0)
    assert created(report)["enrollments"] == 4
    assert school() == {"terms": [], "students": [], "courses": [], "enrollments": []}


BAD_DATE = [b.SESSIONS[0], b.SESSIONS[1],
            ["t-spring", "", "", "Spring 2027", "term", "2027-13-45", "2027-05-28", "", ""]]


def test_strict_applies_nothing_when_a_row_has_an_error(database, tmp_path):
    report = run(tmp_path, b.files(academicSessions=BAD_DATE), strict=True)
    assert (report.applied, report.exit_code) == (False, 1)
    assert school()["students"] == []


def test_by_default_bad_rows_are_skipped_and_the_rest_applied(database, tmp_path):
    report = run(tmp_path, b.files(academicSessions=BAD_DATE))
    assert report.applied and report.exit_code == 0
    assert [p.to_dict() for p in report.errors] == [
        {"file": "academicSessions.csv", "line": 3, "column": "startDate",
         "message": "'2027-13-45' is not a date (write YYYY-MM-DD)."}]
    # k-phys2's first term is gone: imported without a term, with a warning
    assert ("PHYS-100", "Physics", "") in school()["courses"]
    assert any(w.file == "classes.csv" and w.line == 3 and "without a term" in w.message
               for w in report.warnings)


def test_a_bundle_student_whose_email_matches_a_manual_student_is_linked(database, tmp_path,
                                                                        make_student):
    manual = make_student(name="Ada L.", email="ADA@school.test")
    report = run(tmp_path, b.files())
    assert created(report)["students"] == 2 and report.updated["students"] == 1
    linked = Student.get_by_id(manual.id)
    assert (linked.sourced_id, linked.name) == ("u-ada", "Ada Lovelace")
    assert Student.select().count() == 3


def test_bulk_never_touches_manual_rows_and_removes_only_within_named_terms(
        database, tmp_path, make_student, make_course, make_term):
    run(tmp_path, b.files())
    fall = Term.get(Term.sourced_id == "t-fall")
    pupil = make_student(name="Manual Pupil")
    hand_course = make_course(code="HAND-1", term=fall)
    ada = Student.get(Student.sourced_id == "u-ada")
    phys1 = Course.get(Course.sourced_id == "k-phys1")
    StudentCourse.create(student=pupil, course=phys1)        # a manual enrollment
    StudentCourse.create(student=ada, course=hand_course)
    # the next bulk bundle: no Bo, no k-art, no e-2 / e-4
    users = [row for row in b.USERS_11 if row[0] != "u-bo"]
    classes = [row for row in b.CLASSES if row[0] != "k-art"]
    enrollments = [row for row in b.ENROLLMENTS if row[0] not in ("e-2", "e-4")]

    report = run(tmp_path, b.files(users=users, classes=classes, enrollments=enrollments),
                 allow_removals=True)

    assert report.applied, report.to_dict()
    assert report.removed == {"terms": 0, "students": 1, "courses": 1, "enrollments": 2}
    after = school()
    assert ("Manual Pupil", "Phys 100 - 1") in after["enrollments"]
    assert ("Ada Lovelace", "HAND-1") in after["enrollments"]
    assert ("HAND-1", Course.get_by_id(hand_course.id).title,
            "T-FALL") in after["courses"]
    assert [name for name, _, _ in after["students"]] == ["Ada Lovelace", "Cy Young",
                                                          "Manual Pupil"]


def test_the_removal_guard_stops_a_bulk_import_that_removes_too_much(database, tmp_path):
    run(tmp_path, b.files())
    before = school()
    enrollments = [row for row in b.ENROLLMENTS if row[0] not in ("e-2",)]

    report = run(tmp_path, b.files(enrollments=enrollments))

    assert (report.applied, report.needs_removal_confirmation, report.exit_code) == (
        False, True, 1)
    (error,) = report.to_dict()["errors"]
    assert error["file"] is None
    assert "remove 1 of the 4 enrollments" in error["message"]
    assert "--allow-removals" in error["message"]
    assert school() == before
    allowed = run(tmp_path, b.files(enrollments=enrollments), allow_removals=True)
    assert allowed.applied and allowed.removed["enrollments"] == 1
    assert ("Bo Li", "Phys 100 - 1") not in school()["enrollments"]


def test_delta_changes_only_the_listed_rows_and_tobedeleted_removes(database, tmp_path):
    run(tmp_path, b.files())
    users = [b.USERS_11[0], ["u-dee", "", "", "true", "org", "student", "dee", "", "Dee",
                             "Nu", "", "", "", "", "", "", "", ""]]
    enrollments = [b.ENROLLMENTS[0],
                   ["e-2", "tobedeleted", "", "k-phys1", "org", "u-bo", "student", "", "", ""],
                   ["e-9", "active", "", "k-art", "org", "u-dee", "student", "", "", ""]]
    mode = {"users": "delta", "enrollments": "delta", "classes": "absent",
            "academicSessions": "absent", "courses": "absent", "orgs": "absent"}

    report = run(tmp_path, b.files(mode=mode, users=users, enrollments=enrollments))

    assert report.applied and report.errors == [], report.to_dict()
    assert report.created == {"terms": 0, "students": 1, "courses": 0, "enrollments": 1}
    assert report.removed == {"terms": 0, "students": 0, "courses": 0, "enrollments": 1}
    after = school()
    assert ("Bo Li", "Phys 100 - 1") not in after["enrollments"]
    assert ("Dee Nu", "ÉTÉ-101") in after["enrollments"]
    assert len(after["students"]) == 4 and len(after["courses"]) == 3


def test_progress_rises_from_reading_to_done(database, tmp_path, monkeypatch):
    from webapp.oneroster import importer
    monkeypatch.setattr(importer, "PROGRESS_ROWS", 2)
    seen = []

    run(tmp_path, b.files(), progress=seen.append)

    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 8
    assert all(0 <= fraction <= 1 for fraction in seen)


def test_a_bulk_row_with_an_error_does_not_remove_what_it_names(database, tmp_path):
    run(tmp_path, b.files())
    users = [row if row[0] != "u-bo" else row[:12] + ["not-an-email"] + row[13:]
             for row in b.USERS_11]
    classes = [row if row[0] != "k-art" else row[:7] + ["bad"] + row[8:] for row in b.CLASSES]

    report = run(tmp_path, b.files(users=users, classes=classes))

    assert {(e.file, e.column) for e in report.errors} == {("users.csv", "email"),
                                                           ("classes.csv", "classType")}
    assert report.removed == {"terms": 0, "students": 0, "courses": 0, "enrollments": 0}
    after = school()
    assert (len(after["students"]), len(after["courses"]), len(after["enrollments"])) == (
        3, 3, 4)
