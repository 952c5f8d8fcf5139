"""Export the whole school as a OneRoster CSV bundle (zip), the spec's headers in the
spec's order. Rows that came from OneRoster keep their sourcedId; rows entered here get
stable ones made from their ids (a term: its code). Written as it is read, row by row."""
import csv
import io
import zipfile

from ..db import fetch_all
from ..models import utcnow

SCHOOL = "school"

HEADERS = {
    "academicSessions": ("sourcedId", "status", "dateLastModified", "title", "type",
                         "startDate", "endDate", "parentSourcedId", "schoolYear"),
    "orgs": ("sourcedId", "status", "dateLastModified", "name", "type", "identifier",
             "parentSourcedId"),
    "courses": ("sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
                "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"),
    "classes": ("sourcedId", "status", "dateLastModified", "title", "grades",
                "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId",
                "termSourcedIds", "subjects", "subjectCodes", "periods"),
    "enrollments": ("sourcedId", "status", "dateLastModified", "classSourcedId",
                    "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                    "endDate"),
}
USERS = {
    "1.1": ("sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
            "username", "userIds", "givenName", "familyName", "middleName", "identifier",
            "email", "sms", "phone", "agentSourcedIds", "grades", "password"),
    "1.2": ("sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
            "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
            "agentSourcedIds", "grades", "password", "userMasterIdentifier",
            "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
            "preferredFamilyName", "primaryOrgSourcedId", "pronouns"),
}
ROLES = ("sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
         "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId")


def _split_name(name):
    """givenName, familyName such that the importer's `given + " " + family` is `name`."""
    given, _, family = name.rpartition(" ")
    return (given, family) if given else (name, "")


def _writer(archive, name, header):
    handle = io.TextIOWrapper(archive.open(f"{name}.csv", "w"), encoding="utf-8",
                              newline="")
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(header)
    return handle, writer


def _rows(name, header, rows, archive, counts):
    handle, writer = _writer(archive, name, header)
    with handle:
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
            counts[name] = counts.get(name, 0) + 1
    counts.setdefault(name, 0)


def export_bundle(out_path, version="1.2"):
    """Write the bundle to `out_path` (a .zip); returns {file name: rows written}."""
    if version not in USERS:
        raise ValueError(f"OneRoster version {version!r}: use 1.1 or 1.2")
    stamp = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    counts = {}
    files = ["academicSessions", "orgs", "courses", "classes", "users", "enrollments"]
    if version == "1.2":
        files.append("roles")
    terms = {tid: sourced or code for tid, code, sourced in
             fetch_all("SELECT id, code, sourced_id FROM terms")}
    with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        manifest = [("manifest.version", "1.0"), ("oneroster.version", version)]
        manifest += [(f"file.{name}", "bulk") for name in files]
        manifest += [("source.systemName", "Registrar"), ("source.systemCode", "registrar")]
        _rows("manifest", ("propertyName", "value"),
              ({"propertyName": k, "value": v} for k, v in manifest), archive, {})
        _rows("academicSessions", HEADERS["academicSessions"], (
            {"sourcedId": terms[tid], "status": "active", "dateLastModified": stamp,
             "title": name, "type": "term", "startDate": starts.isoformat()
             if hasattr(starts, "isoformat") else starts,
             "endDate": ends.isoformat() if hasattr(ends, "isoformat") else ends,
             "schoolYear": str(starts)[:4]}
            for tid, name, starts, ends in fetch_all(
                "SELECT id, name, starts_on, ends_on FROM terms ORDER BY starts_on, id")),
            archive, counts)
        _rows("orgs", HEADERS["orgs"], [{"sourcedId": SCHOOL, "status": "active",
                                         "dateLastModified": stamp, "name": "School",
                                         "type": "school"}], archive, counts)
        courses = fetch_all("SELECT id, code, title, term_id, sourced_id FROM courses "
                            "ORDER BY id")
        class_ids = {cid: sourced or f"class-{cid}" for cid, _, _, _, sourced in courses}
        _rows("courses", HEADERS["courses"], (
            {"sourcedId": f"course-{class_ids[cid]}", "status": "active",
             "dateLastModified": stamp, "title": title, "courseCode": code,
             "orgSourcedId": SCHOOL} for cid, code, title, _, _ in courses), archive, counts)
        _rows("classes", HEADERS["classes"], (
            {"sourcedId": class_ids[cid], "status": "active", "dateLastModified": stamp,
             "title": title, "courseSourcedId": f"course-{class_ids[cid]}", "classCode": code,
             "classType": "scheduled", "schoolSourcedId": SCHOOL,
             "termSourcedIds": terms.get(term_id, "")}
            for cid, code, title, term_id, _ in courses), archive, counts)
        student_ids = {}

        def users():
            for sid, name, email, number, sourced in fetch_all(
                    "SELECT id, name, email, student_number, sourced_id FROM students "
                    "ORDER BY id"):
                student_ids[sid] = sourced or f"student-{sid}"
                given, family = _split_name(name)
                yield {"sourcedId": student_ids[sid], "status": "active",
                       "dateLastModified": stamp, "enabledUser": "true",
                       "orgSourcedIds": SCHOOL, "primaryOrgSourcedId": SCHOOL,
                       "role": "student", "username": email or student_ids[sid],
                       "givenName": given, "familyName": family,
                       "identifier": number or "", "email": email or ""}
        _rows("users", USERS[version], users(), archive, counts)
        if version == "1.2":
            _rows("roles", ROLES, (
                {"sourcedId": f"role-{sourced}", "status": "active", "dateLastModified": stamp,
                 "userSourcedId": sourced, "roleType": "primary", "role": "student",
                 "orgSourcedId": SCHOOL} for sourced in student_ids.values()),
                archive, counts)
        _rows("enrollments", HEADERS["enrollments"], (
            {"sourcedId": sourced or f"enrollment-{sid}-{cid}", "status": "active",
             "dateLastModified": stamp, "classSourcedId": class_ids[cid],
             "schoolSourcedId": SCHOOL, "userSourcedId": student_ids[sid], "role": "student",
             "primary": "false"}
            for sid, cid, sourced in fetch_all(
                "SELECT student_id, course_id, sourced_id FROM student_courses "
                "ORDER BY course_id, student_id")), archive, counts)
    return counts
