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
