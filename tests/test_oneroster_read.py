"""OneRoster reading: every tolerance real exports need (each a warning), every row error
with file, line, column and reason, and bundles that are refused outright."""
import zipfile

import pytest

from webapp.oneroster import NotABundle, import_bundle

from . import oneroster_bundles as b
from .test_oneroster_import import run, school


def text(rows, **options):
    return b.to_csv(rows, **options)


def swap_columns(rows, i, j):
    out = []
    for row in rows:
        row = list(row)
        row[i], row[j] = row[j], row[i]
        out.append(row)
    return out


USERS_TEXT = text(b.USERS_11)
TOLERATED = {
    "bom": ({"users": "\ufeff" + USERS_TEXT}, "byte order mark"),
    "lf and no final newline": ({"users": text(b.USERS_11, newline="\n").rstrip("\n")}, None),
    "every field quoted": ({"users": text(b.USERS_11, quote_all=True)}, None),
    "columns in another order and case": (
        {"users": text([[c.upper() for c in b.USERS_11[0]]] + b.USERS_11[1:]).replace(
            "SOURCEDID", "SourcedId")}, "differ in case"),
    "columns swapped": ({"users": text(swap_columns(b.USERS_11, 8, 9))}, "spec's order"),
    "unknown columns": ({"users": text([b.USERS_11[0] + ["ext_school", "metadata.grade"]]
                                       + [row + ["1", "2"] for row in b.USERS_11[1:]])},
                        "ignored: ext_school, metadata.grade"),
    "nameless column": ({"users": text([b.USERS_11[0] + [""]]
                                       + [row + ["junk"] for row in b.USERS_11[1:]])},
                        "without a name"),
    "short rows padded": ({"users": text([b.USERS_11[0]] + [row[:14] for row in
                                                           b.USERS_11[1:]])},
                          "missing ones are read as empty"),
    "TRUE and enums in any case": ({"users": text([b.USERS_11[0]] + [
        row[:3] + ["TRUE", row[4], row[5].capitalize()] + row[6:] for row in b.USERS_11[1:]])},
        "'Student' read as 'student'"),
    "datetimes and d/m/yyyy": ({"academicSessions": [
        b.SESSIONS[0],
        ["t-fall", "", "", "Fall 2026", "Term", "2026-09-01T00:00:00.000Z", "18/12/2026", "",
         ""],
        ["t-spring", "", "", "Spring 2027", "term", "2027-01-11T08:00:00+01:00",
         "2027-05-28", "", ""]]}, "read as day/month/year"),
    "header-only file": ({"orgs": text([b.ORGS[0]])}, None),
    "manifest keys and values as written": ({"manifest": text(
        [["PropertyName", "Value"], ["oneroster.version", "1.1"]]
        + [[f"FILE.{n}", "Bulk"] for n in ("academicSessions", "orgs", "courses", "classes",
                                             "users", "enrollments")])}, "read as 'bulk'"),
}


@pytest.mark.parametrize("case", sorted(TOLERATED))
def test_tolerated_deviations_import_the_same_school_with_a_warning(database, tmp_path,
                                                                     case):
    overrides, warning = TOLERATED[case]
    report = run(tmp_path, b.files(**overrides))

    assert report.applied and report.errors == [], report.to_dict()["errors"]
    assert report.created == {"terms": 2, "students": 3, "courses": 3, "enrollments": 4}
    assert school()["students"] == [("Ada Lovelace", "ada@school.test", "S-1"),
                                    ("Bo Li", "", ""), ("Cy Young", "cy@school.test", "S-3")]
    if warning:
        assert any(warning in w.message for w in report.warnings), report.to_dict()["warnings"]


def user(sourced, **fields):
    row = dict(zip(b.USERS_11[0], ["", "", "", "true", "org", "student", "", "", "Al", "Ex",
                                   "", "", "", "", "", "", "", ""]))
    row.update(sourcedId=sourced, **fields)
    return [row[c] for c in b.USERS_11[0]]


ROW_ERRORS = {
    "missing required": ({"users": b.USERS_11 + [user("")]}, "users.csv", 6, "sourcedId",
                         "sourcedId is required."),
    "duplicate sourcedId": ({"users": b.USERS_11 + [user("u-ada")]}, "users.csv", 6,
                            "sourcedId", "Duplicate sourcedId 'u-ada' (first on line 2)"),
    "bad enum": ({"users": b.USERS_11 + [user("u-x", role="pupil")]}, "users.csv", 6, "role",
                 "'pupil' is not a valid role"),
    "bad status": ({"users": b.USERS_11 + [user("u-x", status="gone")]}, "users.csv", 6,
                   "status", "'gone' is not a status"),
    "bad date": ({"academicSessions": b.SESSIONS + [
        ["t-x", "", "", "X", "term", "2026-02-30", "2026-03-01", "", ""]]},
        "academicSessions.csv", 4, "startDate", "'2026-02-30' is not a date"),
    "unknown class": ({"enrollments": b.ENROLLMENTS + [
        ["e-x", "", "", "k-none", "org", "u-ada", "student", "", "", ""]]},
        "enrollments.csv", 7, "classSourcedId", "No class 'k-none'"),
    "unknown user": ({"enrollments": b.ENROLLMENTS + [
        ["e-x", "", "", "k-art", "org", "u-none", "student", "", "", ""]]},
        "enrollments.csv", 7, "userSourcedId", "No student 'u-none'"),
    "bad email": ({"users": b.USERS_11 + [user("u-x", email="not-mail")]}, "users.csv", 6,
                  "email", "'not-mail' is not an email address"),
}


@pytest.mark.parametrize("case", sorted(ROW_ERRORS))
def test_a_bad_row_is_reported_with_file_line_column_and_reason_and_skipped(
        database, tmp_path, case):
    overrides, file, line, column, message = ROW_ERRORS[case]
    report = run(tmp_path, b.files(**overrides))

    assert report.applied
    (error,) = report.to_dict()["errors"]
    assert (error["file"], error["line"], error["column"]) == (file, line, column)
    assert message in error["message"]
    assert report.created == {"terms": 2, "students": 3, "courses": 3, "enrollments": 4}


def test_a_folder_is_read_like_a_zip(database, tmp_path):
    report = import_bundle(b.write_folder(tmp_path / "bundle", b.files()))
    assert report.applied and report.created["enrollments"] == 4


def test_a_tobedeleted_row_is_not_created(database, tmp_path):
    users = b.USERS_11 + [user("u-x", status="tobedeleted")]
    report = run(tmp_path, b.files(users=users))
    assert report.created["students"] == 3 and report.errors == []


# Refused bundles: nothing read, a clear message -------------------------------------------

def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "roster.zip"
    path.write_text("name,email\nAda,ada@example.edu\n")
    with pytest.raises(NotABundle, match="not a zip archive"):
        import_bundle(path)


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/evil.csv", "a/../../evil.csv",
                                  "C:/evil.csv"])
def test_a_zip_member_that_leaves_the_folder_is_refused(tmp_path, name):
    path = b.write_zip(tmp_path / "bundle.zip", b.files())
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(name, "x")
    with pytest.raises(NotABundle, match="unsafe file name"):
        import_bundle(path)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = b.write_zip(tmp_path / "bundle.zip", b.files())
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users_big.csv", b"0" * (8 << 20))  # compresses ~1000 times
    with pytest.raises(NotABundle, match="zip bomb"):
        import_bundle(path)
    with pytest.raises(NotABundle, match="more than 1,000 bytes"):
        import_bundle(b.write_zip(tmp_path / "small.zip", b.files()), max_bytes=1000)


def test_a_zip_without_a_manifest_or_known_files_is_refused(tmp_path):
    tables = b.files()
    del tables["manifest"]
    with pytest.raises(NotABundle, match="no manifest.csv"):
        import_bundle(b.write_zip(tmp_path / "a.zip", tables))
    with pytest.raises(NotABundle, match="none of the OneRoster files"):
        import_bundle(b.write_zip(tmp_path / "b.zip", {"manifest": "propertyName,value\r\n"}))
