"""OneRoster export (spec headers in spec order, a manifest, sourcedIds written back), the
round trip through the importer, and the command line."""
import csv
import io
import json
import zipfile

import pytest

from webapp.models import Student, StudentCourse, Term
from webapp.oneroster import export_bundle, import_bundle
from webapp.oneroster.export import HEADERS, USERS

from . import oneroster_bundles as b
from .test_oneroster_import import run, school


def read_zip(path):
    with zipfile.ZipFile(path) as archive:
        return {name[:-4]: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
                for name in archive.namelist()}


@pytest.fixture
def mixed_school(database, tmp_path, make_student, make_course, make_term):
    """Imported rows and rows entered by hand, side by side."""
    run(tmp_path, b.files())
    spring = make_term("2027-SPRING", "2027-01-11", "2027-05-28", name="Spring (by hand)")
    hand = make_course(code="Chem 1 – lab", term=spring)
    pupil = make_student(name="Zoë Ångström", email="zoe@school.test", student_number="Z-1")
    Student.create(name="Solo", email=None)
    StudentCourse.create(student=pupil, course=hand)
    StudentCourse.create(student=Student.get(Student.sourced_id == "u-bo"), course=hand)
    return school()


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_export_writes_spec_headers_a_manifest_and_sourced_ids(mixed_school, tmp_path,
                                                               version):
    counts = export_bundle(tmp_path / "out.zip", version)
    files = read_zip(tmp_path / "out.zip")

    assert counts["users"] == 5 and counts["enrollments"] == 6 and counts["classes"] == 4
    for name, header in HEADERS.items():
        assert tuple(files[name][0]) == header
    assert tuple(files["users"][0]) == USERS[version]
    assert ("roles" in files) == (version == "1.2")
    manifest = dict(files["manifest"][1:])
    assert manifest["oneroster.version"] == version and manifest["file.users"] == "bulk"
    user_ids = [row[0] for row in files["users"][1:]]
    assert {"u-ada", "u-bo", "u-cy"} <= set(user_ids)
    assert {row[0] for row in files["enrollments"][1:]} >= {"e-1", "e-2", "e-3", "e-4"}
    assert {row[0] for row in files["academicSessions"][1:]} == {"t-fall", "t-spring",
                                                                  "2027-SPRING"}


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_round_trip_into_an_empty_database_gives_the_same_school(mixed_school, tmp_path,
                                                                 database, version):
    export_bundle(tmp_path / "out.zip", version)
    again = import_bundle(tmp_path / "out.zip")  # the same database: nothing changes
    assert again.errors == [] and again.created == dict.fromkeys(again.created, 0)

    for table in ("enrollment_events", "outbox", "waitlist_entries", "student_courses",
                  "course_meetings", "course_prerequisites", "courses", "students", "terms"):
        database.execute_sql(f"DELETE FROM {table}")  # an empty school (the users stay)
    assert school() == {"terms": [], "students": [], "courses": [], "enrollments": []}

    report = import_bundle(tmp_path / "out.zip")

    assert report.applied and report.errors == [], report.to_dict()
    assert school() == mixed_school
    assert Term.get(Term.code == "2027-SPRING").name == "Spring (by hand)"
    twice = import_bundle(tmp_path / "out.zip")
    assert twice.updated == dict.fromkeys(twice.updated, 0)
    assert twice.created == dict.fromkeys(twice.created, 0)


def test_cli_import_prints_json_last_and_exits_per_the_contract(runner, tmp_path):
    path = b.write_zip(tmp_path / "bundle.zip", b.files())

    dry = runner.invoke(args=["oneroster", "import", str(path), "--dry-run", "--json"])
    assert dry.exit_code == 0
    body = json.loads(dry.output.strip().splitlines()[-1])
    assert (body["applied"], body["dry_run"], body["created"]["students"]) == (False, True, 3)

    applied = runner.invoke(args=["oneroster", "import", str(path)])
    assert applied.exit_code == 0 and "Applied." in applied.output
    assert "enrollments" in applied.output and Student.select().count() == 3

    bad = b.write_zip(tmp_path / "bad.zip", b.files(users=b.USERS_11 + [
        ["u-x", "", "", "", "", "pupil"] + [""] * 12]))
    strict = runner.invoke(args=["oneroster", "import", str(bad), "--strict"])
    assert strict.exit_code == 1
    assert "users.csv:6 [role]: 'pupil' is not a valid role" in strict.output

    not_zip = tmp_path / "x.zip"
    not_zip.write_text("hello")
    refused = runner.invoke(args=["oneroster", "import", str(not_zip), "--json"])
    assert refused.exit_code == 1 and "not a zip archive" in refused.output
    assert runner.invoke(args=["oneroster", "import"]).exit_code == 2


def test_cli_export_writes_the_zip(runner, tmp_path, make_student):
    make_student(name="Ada Lovelace")
    result = runner.invoke(args=["oneroster", "export", str(tmp_path / "o.zip"),
                                 "--version", "1.1"])
    assert result.exit_code == 0 and "1 users" in result.output
    assert read_zip(tmp_path / "o.zip")["users"][1][8:10] == ["Ada", "Lovelace"]
    assert runner.invoke(args=["oneroster", "export", "x.zip", "--version", "2"]).exit_code == 2
