"""Small OneRoster bundles written by the tests: a school of two terms, three classes,
four users (three pupils and a teacher) and their enrollments, in 1.1 or 1.2 form."""
import csv
import io
import zipfile

SESSIONS = [["sourcedId", "status", "dateLastModified", "title", "type", "startDate",
             "endDate", "parentSourcedId", "schoolYear"],
            ["t-fall", "", "", "Fall 2026", "term", "2026-09-01", "2026-12-18", "", "2027"],
            ["t-spring", "", "", "Spring 2027", "semester", "2027-01-11", "2027-05-28", "",
             "2027"]]
COURSES = [["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
            "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"],
           ["c-phys", "", "", "", "Physics", "PHYS-100", "", "org", "", ""],
           ["c-art", "", "", "", "Art", "ART-1", "", "org", "", ""]]
CLASSES = [["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
            "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
            "subjects", "subjectCodes", "periods"],
           ["k-phys1", "", "", "Physics, group 1", "", "c-phys", "Phys 100 - 1", "scheduled",
            "", "org", "t-fall", "", "", ""],
           ["k-phys2", "", "", "", "", "c-phys", "", "scheduled", "", "org", "t-spring,t-fall",
            "", "", ""],
           ["k-art", "", "", "Drawing", "", "c-art", "ÉTÉ-101", "homeroom", "", "org", "t-fall",
            "", "", ""]]
USERS_11 = [["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
             "username", "userIds", "givenName", "familyName", "middleName", "identifier",
             "email", "sms", "phone", "agentSourcedIds", "grades", "password"],
            ["u-ada", "", "", "true", "org", "student", "ada", "", "Ada", "Lovelace", "",
             "S-1", "ada@school.test", "", "", "", "", ""],
            ["u-bo", "", "", "true", "org", "student", "bo", "", "Bo", "Li", "", "", "", "",
             "", "", "", ""],
            ["u-cy", "", "", "true", "org", "student", "cy", "", "Cy", "Young", "", "S-3",
             "cy@school.test", "", "", "", "", ""],
            ["u-teach", "", "", "true", "org", "teacher", "tt", "", "Tea", "Cher", "", "",
             "t@school.test", "", "", "", "", ""]]
ENROLLMENTS = [["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
                "userSourcedId", "role", "primary", "beginDate", "endDate"],
               ["e-1", "", "", "k-phys1", "org", "u-ada", "student", "false", "", ""],
               ["e-2", "", "", "k-phys1", "org", "u-bo", "student", "false", "", ""],
               ["e-3", "", "", "k-phys2", "org", "u-cy", "student", "false", "", ""],
               ["e-4", "", "", "k-art", "org", "u-ada", "student", "false", "", ""],
               ["e-5", "", "", "k-phys1", "org", "u-teach", "teacher", "true", "", ""]]
ORGS = [["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
         "parentSourcedId"], ["org", "", "", "School", "school", "", ""]]


def users_12(users=USERS_11):
    """1.2 users (no role column) and roles.csv naming the same roles."""
    header = users[0]
    role = header.index("role")
    users12 = [[c for i, c in enumerate(row) if i != role] for row in users]
    roles = [["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
              "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"]]
    roles += [[f"r-{row[0]}", "", "", row[0], "primary", row[role], "", "", "org", ""]
              for row in users[1:]]
    return users12, roles


def to_csv(rows, quote_all=False, newline="\r\n"):
    out = io.StringIO()
    csv.writer(out, lineterminator=newline,
               quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(rows)
    return out.getvalue()


def files(version="1.1", mode="bulk", **overrides):
    """{file name: rows or text} of the standard bundle; overrides replace files (None
    drops one)."""
    tables = {"academicSessions": SESSIONS, "orgs": ORGS, "courses": COURSES,
              "classes": CLASSES, "enrollments": ENROLLMENTS}
    if version == "1.2":
        tables["users"], tables["roles"] = users_12()
    else:
        tables["users"] = USERS_11
    tables.update(overrides)
    tables = {name: rows for name, rows in tables.items() if rows is not None}
    if "manifest" not in tables:
        tables["manifest"] = [["propertyName", "value"], ["manifest.version", "1.0"],
                              ["oneroster.version", version]] + [
            [f"file.{name}", mode if not isinstance(mode, dict) else mode.get(name, "bulk")]
            for name in tables]
    return tables


def write_zip(path, tables):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            data = rows if isinstance(rows, (str, bytes)) else to_csv(rows)
            archive.writestr(f"{name}.csv", data)
    return path


def write_folder(path, tables):
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        data = rows if isinstance(rows, (str, bytes)) else to_csv(rows)
        (path / f"{name}.csv").write_bytes(data if isinstance(data, bytes) else
                                           data.encode("utf-8"))
    return path
