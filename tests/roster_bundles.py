"""OneRoster 1.1 CSV bundles written by the tests of the Import page, API and jobs."""
import csv
import io
import zipfile

MANIFEST_FILES = ("academicSessions", "categories", "classes", "classResources", "courses",
                  "courseResources", "demographics", "enrollments", "lineItems", "orgs",
                  "resources", "results", "users")
PRESENT = {"academicSessions", "classes", "courses", "enrollments", "orgs", "users"}
HEADERS = {
    "academicSessions": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
                        "parentSourcedId,schoolYear",
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "courses": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
               "orgSourcedId,subjects,subjectCodes",
    "classes": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
               "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "users": "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
             "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
             "password",
    "enrollments": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
                   "userSourcedId,role,primary,beginDate,endDate",
}


def _csv(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return out.getvalue()


def bundle_files(students=3, classes=2, per_student=2, bad_enrollments=0):
    """{file name: text} of a bundle: one term and school, `classes` classes, `students`
    students each in `per_student` classes (round robin), and `bad_enrollments`
    enrollments naming a class that does not exist (one error each)."""
    manifest = [("manifest.version", "1.0"), ("oneroster.version", "1.1")]
    manifest += [(f"file.{name}", "bulk" if name in PRESENT else "absent")
                 for name in MANIFEST_FILES]
    manifest += [("source.systemName", "Tests"), ("source.systemCode", "tests")]
    classes_rows = [(f"c{n}", "active", "", f"Class {n}", "", f"k{n}", f"CL-{n}", "scheduled",
                     "", "sch", "t1", "", "", "") for n in range(classes)]
    enrollments = [(f"e{s}-{k}", "active", "", f"c{(s + k) % classes}", "sch", f"u{s}",
                    "student", "", "", "")
                   for s in range(students) for k in range(min(per_student, classes))]
    enrollments += [(f"bad{n}", "active", "", "no-such-class", "sch", "u0", "student", "", "",
                     "") for n in range(bad_enrollments)]
    rows = {
        "academicSessions": [("t1", "active", "", "Fall 2026", "term", "2026-09-01",
                              "2026-12-18", "", "2027")],
        "orgs": [("sch", "active", "", "Test School", "school", "", "")],
        "courses": [(f"k{n}", "active", "", "t1", f"Course {n}", f"CO-{n}", "", "sch", "", "")
                    for n in range(classes)],
        "classes": classes_rows,
        "users": [(f"u{s}", "active", "", "true", "sch", "student", f"pupil{s}", "",
                   f"Pupil{s}", "Tester", "", f"N{s:06d}", f"pupil{s}@school.test", "", "", "",
                   "", "") for s in range(students)],
        "enrollments": enrollments,
    }
    files = {"manifest.csv": _csv("propertyName,value", manifest)}
    files.update({f"{name}.csv": _csv(HEADERS[name], rows[name]) for name in HEADERS})
    return files


def bundle_zip(**kwargs):
    """The bytes of a bundle zip (see bundle_files)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in bundle_files(**kwargs).items():
            archive.writestr(name, text)
    return out.getvalue()


def write_bundle(path, **kwargs):
    path.write_bytes(bundle_zip(**kwargs))
    return path


def traversal_zip():
    """A zip whose member would land outside any folder it is unpacked into."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in bundle_files().items():
            archive.writestr(name, text)
        archive.writestr("../../evil.csv", "x")
    return out.getvalue()


def make_job(status, **fields):
    """An import_jobs row as a runner would have left it (no file unless `stored_path`)."""
    from webapp.models import ImportJob
    row = {"filename": "roster.zip", "stored_path": "/nowhere.zip", "dry_run": True,
           "strict": False, "allow_removals": False, **fields}
    return ImportJob.create(status=status, **row)
