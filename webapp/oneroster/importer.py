"""Import: read → check (per-row problems) → plan (diff against the database) → apply
(one transaction, every write through webapp.rules.exchange). Enrollments, the one file
with millions of rows, are staged in the database and planned there (staging.py)."""
import re
from dataclasses import dataclass, field

from ..db import fetch_all, large_page_cache, write_transaction
from ..models import Course, Student, Term, utcnow
from ..rules import audit, exchange
from ..rules.names import name_keys
from ..rules.records import EMAIL_RE, TERM_CODE_RE, is_course_code
from .read import (
    STATUSES,
    Bundle,
    Problems,
    Table,
    parse_bool,
    parse_date,
    parse_enum,
    read_manifest,
)
from .staging import ACTIVE, DELETED, LISTED, StagedEnrollments

TYPES = ("terms", "students", "courses", "enrollments")
PROGRESS_ROWS = 5000  # report progress every so many rows
STUDENT_COLUMNS = ("name", "email", "student_number", "sourced_id", "search_key", "sort_key")
# SQLite's page cache while applying: the enrollment indexes a million rows are written
# into stay in memory (a fixed amount: the import's memory does not grow with the rows)
APPLY_CACHE_KIB = 64 * 1024
REMOVAL_GUARD = 0.10  # a bulk import may remove at most this share of sourced enrollments
SESSION_TYPES = ("calendarYear", "gradingPeriod", "schoolYear", "semester", "term")
CLASS_TYPES = ("homeroom", "scheduled")
ROLES = ("administrator", "aide", "guardian", "parent", "proctor", "relative", "student",
         "teacher", "districtAdministrator", "guardian", "principal", "siteAdministrator",
         "systemAdministrator")
ENROLLMENT_REQUIRED = ("sourcedId", "classSourcedId", "userSourcedId", "role")
IMPORT_ACTOR = audit.Actor(None, "OneRoster import")


@dataclass
class Report:
    """What an import did (or, for a dry run, would do); `to_dict` is API.md's object."""
    version: str = "1.1"
    dry_run: bool = False
    applied: bool = False
    strict: bool = False
    needs_removal_confirmation: bool = False
    created: dict = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    updated: dict = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    removed: dict = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    skipped: dict = field(default_factory=lambda: {"users_not_students": 0,
                                                   "enrollments_not_students": 0})
    problems: Problems = field(default_factory=Problems)

    @property
    def errors(self):
        return self.problems.errors

    @property
    def warnings(self):
        return self.problems.warnings

    @property
    def exit_code(self):
        """0 when applied, or a dry run that would apply; 1 when refused."""
        if self.applied:
            return 0
        refused = self.needs_removal_confirmation or (self.strict and self.errors)
        return 0 if self.dry_run and not refused else 1

    def to_dict(self):
        return {"applied": self.applied, "dry_run": self.dry_run, "version": self.version,
                "created": dict(self.created), "updated": dict(self.updated),
                "removed": dict(self.removed), "skipped": dict(self.skipped),
                "errors": [p.to_dict() for p in self.errors],
                "warnings": [p.to_dict() for p in self.warnings]}


def import_bundle(source, *, dry_run=False, strict=False, allow_removals=False, progress=None,
                  max_bytes=None):
    """Import the OneRoster bundle at `source` (a .zip or a folder). Raises NotABundle
    before anything is read when it is not one; otherwise returns a Report. Applies in one
    transaction unless `dry_run`, `strict` with errors, or the removal guard stops it."""
    bundle = Bundle(source, **({"max_bytes": max_bytes} if max_bytes else {}))
    report = Report(dry_run=dry_run, strict=strict)
    step = progress or (lambda fraction: None)
    try:
        report.version, modes = read_manifest(bundle, report.problems)
        importer = _Importer(bundle, report, modes, step)
        importer.read()
        step(0.4)
        importer.plan()
        step(0.5)
        importer.guard(allow_removals)
        if not (dry_run or report.needs_removal_confirmation or (strict and report.errors)):
            actor = audit.current_actor()
            with audit.acting_as(IMPORT_ACTOR if actor.user_id is None else actor):
                importer.apply()
            report.applied = True
        step(1.0)
    finally:
        bundle.close()
        StagedEnrollments.drop()
        report.problems.finish()
    return report


def _slug(text):
    return re.sub(r"-+", "-", re.sub(r"[^A-Z0-9]+", "-", text.upper())).strip("-")[:32]


class _Importer:
    def __init__(self, bundle, report, modes, step):
        self.bundle, self.report, self.step = bundle, report, step
        self.problems = report.problems
        self.modes = {name: modes.get(name, "absent") for name in
                      ("academicsessions", "classes", "courses", "users", "enrollments",
                       "roles")}
        for name in bundle.files:
            if name != "manifest" and modes.get(name, "absent") == "absent":
                self.problems.warn(f"{name}.csv", None, None, "The manifest marks this file "
                                   "absent (or does not list it); it is ignored.")
        for name, mode in modes.items():
            if mode != "absent" and name not in bundle.files:
                self.problems.error(None, None, None, f"The manifest lists {name}.csv as "
                                    f"{mode}, but the bundle has no such file.")
        self.sessions, self.classes, self.course_rows = {}, {}, {}
        self.students = {}
        # every sourcedId a file lists (rows with errors too: bulk never removes those) and
        # those it marks tobedeleted; enrollments keep theirs in the staging table
        kept_here = ("terms", "students", "courses")
        self.deleted = {t: set() for t in kept_here}
        self.listed = {t: {} for t in kept_here}

    # -- reading and checking ---------------------------------------------------------

    def _table(self, name, columns):
        if self.modes.get(name) == "absent":
            return []
        return Table(self.bundle, name, columns, self.problems)

    def _row_checks(self, table, line, row, required, seen):
        """Common checks: required fields, status, duplicate sourcedId. Returns the status
        ('active' / 'tobedeleted') or None when the row is refused."""
        file = table.filename
        missing = [c for c in required if not row.get(c.lower())]
        if missing:
            for column in missing:
                self.problems.error(file, line, column, f"{column} is required.")
            return None
        sourced = row["sourcedid"]
        if seen is not None:  # (None: staged rows, whose repeats the database finds)
            if sourced in seen:
                self._duplicate(file, line, sourced, seen[sourced])
                return None
            seen[sourced] = line
        status = row.get("status", "")
        if not status:
            return "active"
        try:
            status, deviation = parse_enum(status, STATUSES)
        except ValueError:
            self.problems.error(file, line, "status", f"{status!r} is not a status "
                                "(active or tobedeleted).")
            return None
        if deviation:
            self.problems.warn(file, line, "status", deviation, kind="status case")
        return "active" if status == "inactive" else status

    def _duplicate(self, file, line, sourced, first):
        self.problems.error(file, line, "sourcedId", f"Duplicate sourcedId {sourced!r} "
                            f"(first on line {first}); this row is skipped.")

    def _enum(self, table, line, row, column, allowed):
        value = row.get(column.lower(), "")
        if not value:
            return ""
        try:
            value, deviation = parse_enum(value, allowed)
        except ValueError:
            self.problems.error(table.filename, line, column, f"{value!r} is not a valid "
                                f"{column} ({', '.join(allowed[:6])}).")
            return None
        if deviation:
            self.problems.warn(table.filename, line, column, deviation, kind=f"{column} case")
        return value

    def _date(self, table, line, row, column):
        text = row.get(column.lower(), "")
        try:
            value, deviation = parse_date(text)
        except ValueError:
            self.problems.error(table.filename, line, column, f"{text!r} is not a date "
                                "(write YYYY-MM-DD).")
            return None
        if deviation:
            self.problems.warn(table.filename, line, column, deviation.capitalize() + ".",
                               kind=f"{column} format")
        return value

    def read(self):
        self._read_sessions()
        self._read_courses()
        self._read_classes()
        self.step(0.1)
        student_ids = self._read_roles() if self.report.version == "1.2" else None
        self._read_users(student_ids)
        self.step(0.2)
        self._read_enrollments()

    def _read_sessions(self):
        table = self._table("academicsessions", ("sourcedId", "status", "dateLastModified",
                                                 "title", "type", "startDate", "endDate",
                                                 "parentSourcedId", "schoolYear"))
        seen = {}
        for line, row in table:
            status = self._row_checks(table, line, row, ("sourcedId", "title", "startDate",
                                                         "endDate"), seen)
            if status is None or self._enum(table, line, row, "type", SESSION_TYPES) is None:
                continue
            starts, ends = (self._date(table, line, row, c) for c in ("startDate", "endDate"))
            if starts is None or ends is None:
                continue
            if ends < starts:
                self.problems.error(table.filename, line, "endDate", "endDate is before "
                                    "startDate.")
                continue
            if status == "tobedeleted":
                self.deleted["terms"].add(row["sourcedid"])
                continue
            self.sessions[row["sourcedid"]] = (line, row["title"][:200], starts, ends)

    def _read_courses(self):
        table = self._table("courses", ("sourcedId", "status", "dateLastModified",
                                        "schoolYearSourcedId", "title", "courseCode",
                                        "grades", "orgSourcedId", "subjects"))
        seen = {}
        for line, row in table:
            if self._row_checks(table, line, row, ("sourcedId",), seen) is not None:
                self.course_rows[row["sourcedid"]] = (row.get("title", ""),
                                                      row.get("coursecode", ""))

    def _read_classes(self):
        table = self._table("classes", ("sourcedId", "status", "dateLastModified", "title",
                                        "grades", "courseSourcedId", "classCode",
                                        "classType", "location", "schoolSourcedId",
                                        "termSourcedIds", "subjects", "subjectCodes",
                                        "periods"))
        seen = self.listed["courses"]
        for line, row in table:
            status = self._row_checks(table, line, row, ("sourcedId",), seen)
            if status is None or self._enum(table, line, row, "classType",
                                            CLASS_TYPES) is None:
                continue
            if status == "tobedeleted":
                self.deleted["courses"].add(row["sourcedid"])
                continue
            course_title, course_code = self.course_rows.get(row.get("coursesourcedid"),
                                                             ("", ""))
            code = row.get("classcode") or course_code or row["sourcedid"]
            title = row.get("title") or course_title
            if not title:
                self.problems.error(table.filename, line, "title", "title is required (the "
                                    "class has none, nor has its course).")
                continue
            if not is_course_code(code):
                self.problems.error(table.filename, line, "classCode", f"{code!r} cannot "
                                    "be a course code: at most 64 printable characters.")
                continue
            terms = [t.strip() for t in row.get("termsourcedids", "").split(",") if t.strip()]
            self.classes[row["sourcedid"]] = (line, code, title[:200],
                                              terms[0] if terms else None)

    def _read_roles(self):
        """1.2: the users that have a role `student` (roles.csv)."""
        table = self._table("roles", ("sourcedId", "status", "dateLastModified",
                                      "userSourcedId", "roleType", "role", "beginDate",
                                      "endDate", "orgSourcedId", "userProfileSourcedId"))
        students, seen = set(), {}
        for line, row in table:
            status = self._row_checks(table, line, row, ("sourcedId", "userSourcedId",
                                                         "role"), seen)
            role = status and self._enum(table, line, row, "role", ROLES)
            if role == "student" and status == "active":
                students.add(row["usersourcedid"])
        return students

    def _read_users(self, student_ids):
        table = self._table("users", ("sourcedId", "status", "dateLastModified",
                                      "enabledUser", "orgSourcedIds", "role", "username",
                                      "userIds", "givenName", "familyName", "middleName",
                                      "identifier", "email", "sms", "phone",
                                      "agentSourcedIds", "grades", "password"))
        seen, emails, numbers = self.listed["students"], {}, {}
        self.non_students = set()
        for line, row in table:
            required = ("sourcedId",) if student_ids is not None else ("sourcedId", "role")
            status = self._row_checks(table, line, row, required, seen)
            if status is None:
                continue
            if row.get("enableduser"):
                try:
                    _, deviation = parse_bool(row["enableduser"])
                    if deviation:
                        self.problems.warn(table.filename, line, "enabledUser", deviation,
                                           kind="enabledUser case")
                except ValueError:
                    self.problems.warn(table.filename, line, "enabledUser",
                                       f"{row['enableduser']!r} is not true or false; "
                                       "ignored.", kind="enabledUser value")
            if student_ids is None:
                role = self._enum(table, line, row, "role", ROLES)
                if role is None:
                    continue
                is_student = role == "student"
            else:
                is_student = row["sourcedid"] in student_ids
            sourced = row["sourcedid"]
            if not is_student:
                self.non_students.add(sourced)
                self.report.skipped["users_not_students"] += 1
                continue
            if status == "tobedeleted":
                self.deleted["students"].add(sourced)
                continue
            name = " ".join(p for p in (row.get("givenname"), row.get("familyname")) if p)
            if not name:
                self.problems.error(table.filename, line, "givenName", "givenName or "
                                    "familyName is required.")
                continue
            email = row.get("email", "").lower() or None
            if email and (len(email) > 254 or not EMAIL_RE.match(email)):
                self.problems.error(table.filename, line, "email", f"{email!r} is not an "
                                    "email address.")
                continue
            if email in emails:
                self.problems.error(table.filename, line, "email", f"{email} is also the "
                                    f"email of line {emails[email]}; this row is skipped.")
                continue
            number = row.get("identifier") or None
            if number and (len(number) > 32 or number in numbers):
                why = ("is longer than 32 characters" if len(number) > 32 else
                       f"is also on line {numbers[number]}")
                self.problems.warn(table.filename, line, "identifier", f"identifier {number!r}"
                                   f" {why}; the student is imported without a number.")
                number = None
            if email:
                emails[email] = line
            if number:
                numbers[number] = line
            self.students[sourced] = (line, name[:200], email, number)

    def _read_enrollments(self):
        """Into the staging table, row by row (staging.py): what can be checked on one row
        is checked here; repeats across rows are found by the database after."""
        table = self._table("enrollments", ("sourcedId", "status", "dateLastModified",
                                            "classSourcedId", "schoolSourcedId",
                                            "userSourcedId", "role", "primary", "beginDate",
                                            "endDate"))
        stage = self.staged = StagedEnrollments()
        self.db_students = _by_sourced(Student, Student.id)
        self.db_courses = _by_sourced(Course, Course.id)
        size, done = max(self.bundle.size("enrollments"), 1), 0
        for line, row in table:
            done += sum(map(len, row.values())) + len(row)
            if line % PROGRESS_ROWS == 0:
                self.step(0.2 + 0.2 * min(done / size, 1.0))
            status = self._row_checks(table, line, row, ENROLLMENT_REQUIRED, None)
            if status is None and not all(row.get(c.lower()) for c in ENROLLMENT_REQUIRED):
                continue  # no sourcedId (or reference) to keep
            state = LISTED if status is None else self._enrollment_state(table, line, row,
                                                                         status)
            stage.add(line, row["sourcedid"], row["usersourcedid"], row["classsourcedid"],
                      state)
        for line, sourced, first in stage.finish():
            self._duplicate(table.filename, line, sourced, first)

    def _enrollment_state(self, table, line, row, status):
        """ACTIVE, DELETED or (with an error, or not a student's) LISTED."""
        role = self._enum(table, line, row, "role", ROLES)
        user, klass = row["usersourcedid"], row["classsourcedid"]
        if not role:
            return LISTED
        if role != "student" or user in self.non_students:
            self.report.skipped["enrollments_not_students"] += 1
            return LISTED
        if status == "tobedeleted":
            return DELETED
        if user not in self.students and user not in self.db_students:
            self.problems.error(table.filename, line, "userSourcedId", f"No student "
                                f"{user!r} in users.csv or imported before.")
            return LISTED
        if klass not in self.classes and klass not in self.db_courses:
            self.problems.error(table.filename, line, "classSourcedId", f"No class "
                                f"{klass!r} in classes.csv or imported before.")
            return LISTED
        return ACTIVE

    # -- planning ---------------------------------------------------------------------

    def plan(self):
        """Diff the bundle against the database: self.todo per type."""
        self._plan_terms()
        self._plan_students()
        self._plan_courses()
        self._plan_enrollments()
        for kind in TYPES:
            todo = self.todo[kind]
            creates = todo["create"]  # enrollments: staged, so a count
            self.report.created[kind] = creates if kind == "enrollments" else len(creates)
            self.report.updated[kind] = len(todo["update"])
            self.report.removed[kind] = len(todo["remove"])

    def _mode(self, name):
        return self.modes.get(name, "absent")

    def _plan_terms(self):
        used = {term for (_, _, _, term) in self.classes.values() if term}
        existing = {t.sourced_id: t for t in Term.select().where(Term.sourced_id.is_null(False))}
        by_code = {t.code: t for t in Term.select()}
        todo = self.todo = {kind: {"create": [], "update": [], "remove": []} for kind in TYPES}
        self.term_ids = {sid: t.id for sid, t in existing.items()}
        codes = set(by_code)
        for sourced in sorted(used, key=lambda s: self.sessions.get(s, (0,))[0]):
            if sourced not in self.sessions:
                continue
            _, name, starts, ends = self.sessions[sourced]
            term = existing.get(sourced)
            candidate = sourced.upper() if (len(sourced) <= 32
                                            and TERM_CODE_RE.match(sourced.upper())) else None
            if term is None and candidate in by_code and by_code[candidate].sourced_id is None:
                term = by_code[candidate]  # a term entered by hand (or exported from here)
                self.term_ids[sourced] = term.id
                todo["terms"]["update"].append((term.id, name, starts, ends, sourced))
            elif term is None:
                code = candidate or _slug(name) or "TERM"
                base, n = code, 1
                while code in codes:
                    n += 1
                    code = f"{base[:28]}-{n}"
                codes.add(code)
                todo["terms"]["create"].append((code, name, starts, ends, sourced))
            elif (term.name, term.starts_on, term.ends_on) != (name, starts, ends):
                todo["terms"]["update"].append((term.id, name, starts, ends, sourced))
        for sourced in self.deleted["terms"]:
            if sourced in existing:
                todo["terms"]["remove"].append(existing[sourced].id)

    def _plan_students(self):
        todo = self.todo["students"]
        rows = fetch_all("SELECT id, name, email, student_number, sourced_id FROM students")
        by_sourced = {r[4]: r for r in rows if r[4] is not None}
        by_email = {r[2]: r for r in rows if r[2]}
        by_number = {r[3]: r for r in rows if r[3]}
        by_id = {r[0]: r for r in rows}
        self.student_ids = {sid: r[0] for sid, r in by_sourced.items()}
        taken_emails = {e: r[0] for e, r in by_email.items()}
        claimed = set()
        for sourced, (line, name, email, number) in self.students.items():
            row = by_sourced.get(sourced)
            if row is None:
                manual = by_email.get(email) if email else None
                manual = manual or (by_number.get(number) if number else None)
                manual = manual or self._exported_here(sourced, name, by_id)
                if manual is not None and manual[4] is None and manual[0] not in claimed:
                    row = manual  # entered by hand: link it, do not duplicate
                    claimed.add(row[0])
                    self.student_ids[sourced] = row[0]
            if email and email in taken_emails and (row is None or taken_emails[email] != row[0]):
                other = taken_emails[email]
                if other not in self._removed_student_ids():
                    self.problems.error("users.csv", line, "email", f"Another student "
                                        f"already has the email {email}; this row is skipped.")
                    continue
            if number and number in by_number and (row is None or by_number[number][0] != row[0]):
                self.problems.warn("users.csv", line, "identifier", f"identifier {number!r} "
                                   "is another student's number; imported without it.",
                                   kind="identifier taken")
                number = None
            if row is None:
                todo["create"].append((name, email, number, sourced))
            elif (row[1], row[2], row[3], row[4]) != (name, email, number, sourced):
                todo["update"].append((row[0], name, email, number, sourced))
        keep = set(self.listed["students"]) - self.deleted["students"]
        if self._mode("users") == "bulk":
            todo["remove"] += [r[0] for sid, r in by_sourced.items() if sid not in keep]
        todo["remove"] += [by_sourced[sid][0] for sid in self.deleted["students"]
                           if sid in by_sourced and sid not in keep]
        todo["remove"] = sorted(set(todo["remove"]))

    @staticmethod
    def _exported_here(sourced, name, by_id):
        """A student entered by hand and exported from here comes back as `student-<id>`
        (export.py): the same id and name is the same student."""
        match = re.fullmatch(r"student-(\d+)", sourced)
        row = by_id.get(int(match.group(1))) if match else None
        return row if row is not None and row[1] == name else None

    def _removed_student_ids(self):
        if not hasattr(self, "_removed_cache"):
            if self._mode("users") != "bulk":
                rows = [sid for sid in self.deleted["students"]]
                self._removed_cache = {i for s, i in self.student_ids.items() if s in rows}
            else:
                self._removed_cache = {i for s, i in self.student_ids.items()
                                       if s not in self.listed["students"]}
        return self._removed_cache

    def _plan_courses(self):
        todo = self.todo["courses"]
        rows = fetch_all("SELECT id, code, title, term_id, sourced_id FROM courses")
        by_sourced = {r[4]: r for r in rows if r[4] is not None}
        by_code = {(r[1].lower(), r[3]): r for r in rows}
        self.course_ids = {sid: r[0] for sid, r in by_sourced.items()}
        new_terms = {row[4] for row in self.todo["terms"]["create"]}
        scope, planned = set(), {}
        self.db_course_terms = {sid: r[3] for sid, r in by_sourced.items()}
        for sourced, (line, code, title, term_sid) in self.classes.items():
            term_id = self.term_ids.get(term_sid) if term_sid else None
            term_key = term_id if term_id is not None else (
                ("new", term_sid) if term_sid in new_terms else None)
            if term_sid and term_key is None:
                self.problems.warn("classes.csv", line, "termSourcedIds", f"Term {term_sid!r}"
                                   " is not in the bundle; the class is imported without a "
                                   "term.", kind="class without its term")
                term_sid = None
            scope.add(term_key)
            key = (code.lower(), term_key)
            if key in planned:
                self.problems.error("classes.csv", line, "classCode", f"Code {code!r} is also "
                                    f"the code of line {planned[key]} in the same term; this "
                                    "class is skipped.")
                continue
            planned[key] = line
            row = by_sourced.get(sourced)
            holder = by_code.get(key) if term_key is None or isinstance(term_key, int) else None
            if row is None and holder is not None and holder[4] is None:
                row = holder  # a course entered by hand: link it
                self.course_ids[sourced] = row[0]
            elif holder is not None and (row is None or holder[0] != row[0]):
                self.problems.error("classes.csv", line, "classCode", f"Another course in "
                                    f"this term already has the code {code!r}; skipped.")
                continue
            if row is None:
                todo["create"].append((code, title, term_sid, sourced))
            elif (row[1], row[2], row[3], row[4]) != (code, title, term_id, sourced):
                todo["update"].append((row[0], code, title, term_sid, sourced))
        self.scope = {t for t in scope if not isinstance(t, tuple)}
        keep = set(self.listed["courses"]) - self.deleted["courses"]
        if self._mode("classes") == "bulk":
            todo["remove"] += [r[0] for sid, r in by_sourced.items()
                               if sid not in keep and r[3] in self.scope]
        todo["remove"] += [by_sourced[sid][0] for sid in self.deleted["courses"]
                           if sid in by_sourced and sid not in keep]
        todo["remove"] = sorted(set(todo["remove"]))
        self.skipped_classes = {sid for sid in self.classes
                                if sid not in self.course_ids
                                and sid not in {r[3] for r in todo["create"]}}

    def _plan_enrollments(self):
        stage = self.staged
        created_students = {row[3] for row in self.todo["students"]["create"]}
        failed_users = {user for user in self.students
                        if user not in self.student_ids and user not in created_students}
        class_lines = stage.lines_naming("class_sid", self.skipped_classes)
        user_lines = set(stage.lines_naming("user_sid", failed_users)) - set(class_lines)
        failed = sorted([(line, "classSourcedId") for line in class_lines]
                        + [(line, "userSourcedId") for line in user_lines])
        for line, column in failed:
            self.problems.error("enrollments.csv", line, column, "Its class or student has "
                                "an error; skipped.")
        stage.set_listed([line for line, _ in failed])
        repeated = stage.repeated_pairs()
        for line, first in repeated:
            self.problems.warn("enrollments.csv", line, "sourcedId", "The same student "
                               f"and class as line {first}; skipped.",
                               kind="repeated enrollment")
        stage.set_listed([line for line, _ in repeated])
        plan, conflicts = stage.plan(self.student_ids, self.course_ids)
        for line in conflicts:
            self.problems.error("enrollments.csv", line, "sourcedId", "This student is "
                                "already in this class under another sourcedId; skipped.")
        # bulk enrollments speak for the terms of the classes they name, too
        self.scope |= {self.db_course_terms[klass] for klass in stage.classes_named()
                       if klass in self.db_course_terms and klass not in self.classes}
        bulk_scope = self.scope - {None} if self._mode("enrollments") == "bulk" else None
        removals = plan.remove + stage.removals(bulk_scope, None in self.scope)
        self.todo["enrollments"] = {"create": plan.creates, "update": plan.link,
                                    "remove": sorted(set(removals))}
        self.cascaded = self._cascaded(set(self.todo["enrollments"]["remove"]))

    def _cascaded(self, removed):
        """Sourced enrollments that go with a removed student or course (for the guard)."""
        gone_students = set(self.todo["students"]["remove"])
        gone_courses = set(self.todo["courses"]["remove"])
        (self.sourced_total,), = fetch_all("SELECT COUNT(*) FROM student_courses "
                                           "WHERE sourced_id IS NOT NULL")
        if not (gone_students or gone_courses):
            return 0
        return sum(1 for pair in self.staged.sourced_pairs() if pair not in removed
                   and (pair[0] in gone_students or pair[1] in gone_courses))

    def guard(self, allow_removals):
        removing = len(self.todo["enrollments"]["remove"]) + self.cascaded
        self.report.removed["enrollments"] = removing
        bulk = "bulk" in {self._mode(n) for n in ("users", "classes", "enrollments")}
        if (bulk and not allow_removals and self.sourced_total
                and removing > REMOVAL_GUARD * self.sourced_total):
            self.report.needs_removal_confirmation = True
            self.problems.error(None, None, None, f"This import would remove {removing} of "
                                f"the {self.sourced_total} enrollments that came from "
                                "OneRoster (more than 10%). Nothing was changed; to go ahead, "
                                "import again with --allow-removals (or tick \"Allow "
                                "removals\").")

    # -- applying ---------------------------------------------------------------------

    def apply(self):
        todo = self.todo
        with large_page_cache(APPLY_CACHE_KIB), write_transaction():
            exchange.remove_enrollments(todo["enrollments"]["remove"])
            exchange.delete_courses(todo["courses"]["remove"])
            exchange.delete_students(todo["students"]["remove"])
            self.step(0.6)
            self.term_ids.update(exchange.create_rows(
                "terms", ("code", "name", "starts_on", "ends_on", "sourced_id"),
                todo["terms"]["create"]))
            exchange.update_rows("terms", ("name", "starts_on", "ends_on", "sourced_id"),
                                 [(*r[1:], r[0]) for r in todo["terms"]["update"]])
            # names.name_keys: the search and sort keys Student.save would derive
            creates = todo["students"]["create"]
            for start in range(0, len(creates), PROGRESS_ROWS):  # not a second copy of all
                self.student_ids.update(exchange.create_rows(
                    "students", (*STUDENT_COLUMNS, "created_at"),
                    [(*r, *name_keys(r[0]).values(), _now())
                     for r in creates[start:start + PROGRESS_ROWS]]))
            exchange.update_rows("students", STUDENT_COLUMNS,
                                 [(*r[1:], *name_keys(r[1]).values(), r[0])
                                  for r in todo["students"]["update"]])
            self.step(0.7)
            resolve = self.term_ids.get
            self.course_ids.update(exchange.create_rows(
                "courses", ("code", "title", "term_id", "sourced_id", "enrolled_count",
                            "created_at"),
                [(code, title, resolve(term) if term else None, sourced, 0, _now())
                 for code, title, term, sourced in todo["courses"]["create"]]))
            exchange.update_rows("courses", ("code", "title", "term_id", "sourced_id"),
                                 [(code, title, resolve(term) if term else None, sourced, cid)
                                  for cid, code, title, term, sourced
                                  in todo["courses"]["update"]])
            self.step(0.8)
            exchange.link_enrollments(todo["enrollments"]["update"])
            self.staged.apply_creates(lambda fraction: self.step(0.8 + 0.15 * fraction))
            if todo["terms"]["remove"]:
                exchange.delete_terms_without_courses(todo["terms"]["remove"])


def _now():
    return utcnow()


def _by_sourced(model, column):
    return {sid: i for i, sid in model.select(column, model.sourced_id)
            .where(model.sourced_id.is_null(False)).tuples()}


