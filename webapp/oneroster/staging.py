"""A bundle's enrollments staged in temporary tables and planned and applied by the
database, set-based: a million enrollment rows never sit in Python's memory (issue 14:
the import's memory stays flat in the number of rows), and are written without building a
Python tuple per row.

The tables live on the import's own connection (TEMP) and go when it is done (`drop`).
Each staged row keeps its line, for the report. States: ACTIVE (to import), DELETED
(`tobedeleted`), LISTED (the file lists its sourcedId, but the row is not imported: an
error, another role; bulk never removes an enrollment the file lists).
"""
from dataclasses import dataclass, field

from ..db import db, fetch_all, insert_rows, placeholders, run_sql
from ..rules import exchange
from ..rules.exchange import batches

ACTIVE, DELETED, LISTED = "a", "d", "l"
STAGE = "oneroster_enrollments"
STUDENT_IDS, COURSE_IDS = "oneroster_student_ids", "oneroster_course_ids"
CREATES = "oneroster_creates"
TABLES = (STAGE, STUDENT_IDS, COURSE_IDS, CREATES)
FLUSH_ROWS = 5000
APPLY_CHUNK = 100_000  # rows per INSERT … SELECT, so the progress bar moves



@dataclass
class Plan:
    """What the staged enrollments will do: counts, and the few rows that are not plain
    creates (moved enrollments leave their old pair; hand-entered ones get linked)."""
    creates: int = 0
    unchanged: int = 0
    remove: list = field(default_factory=list)  # (student_id, course_id)
    link: list = field(default_factory=list)  # (student_id, course_id, sourced_id)


class StagedEnrollments:
    """The enrollments file, row by row into STAGE (`add`, then `finish`)."""

    def __init__(self):
        self.drop()
        run_sql(f"CREATE TEMP TABLE {STAGE} (line INTEGER PRIMARY KEY, sourced_id TEXT NOT "
                "NULL, user_sid TEXT NOT NULL, class_sid TEXT NOT NULL, state CHAR(1) NOT NULL)")
        self.pending = []

    @staticmethod
    def drop():
        for table in TABLES:
            run_sql(f"DROP TABLE IF EXISTS {table}")

    def add(self, line, sourced_id, user, klass, state):
        self.pending.append((line, sourced_id, user, klass, state))
        if len(self.pending) >= FLUSH_ROWS:
            self._flush()

    def _flush(self):
        with db.atomic():  # writes the TEMP table only: no lock on the school's data
            insert_rows(STAGE, ("line", "sourced_id", "user_sid", "class_sid", "state"),
                        self.pending)
        self.pending = []

    def finish(self):
        """Flush, index; returns the rows that repeat an earlier row's sourcedId as (line,
        sourcedId, first line), and drops them: the first row of a sourcedId is the one."""
        self._flush()
        run_sql(f"CREATE INDEX {STAGE}_sourced ON {STAGE} (sourced_id, line)")
        repeats = fetch_all(
            f"SELECT s.line, s.sourced_id, f.first FROM {STAGE} s JOIN (SELECT sourced_id, "
            f"MIN(line) AS first FROM {STAGE} GROUP BY sourced_id HAVING COUNT(*) > 1) f "
            "ON f.sourced_id = s.sourced_id WHERE s.line > f.first ORDER BY s.line")
        for batch in batches([line for line, _, _ in repeats]):
            run_sql(f"DELETE FROM {STAGE} WHERE line IN ({placeholders(len(batch))})", *batch)
        return repeats

    # -- planning ---------------------------------------------------------------------

    @staticmethod
    def lines_naming(column, sourced_ids):
        """Lines of ACTIVE rows whose `column` (user_sid / class_sid) is one of these."""
        lines = []
        for batch in batches(sorted(sourced_ids)):
            lines += [line for (line,) in fetch_all(
                f"SELECT line FROM {STAGE} WHERE state = ? AND {column} IN "
                f"({placeholders(len(batch))})", ACTIVE, *batch)]
        return sorted(lines)

    @staticmethod
    def set_listed(lines):
        """Keep these rows out of the import (they stay listed for bulk's sake)."""
        for batch in batches(lines):
            run_sql(f"UPDATE {STAGE} SET state = ? WHERE line IN ({placeholders(len(batch))})",
                    LISTED, *batch)

    @staticmethod
    def repeated_pairs():
        """ACTIVE rows naming the same student and class as an earlier ACTIVE row: (line,
        first line)."""
        return fetch_all(
            f"SELECT s.line, f.first FROM {STAGE} s JOIN (SELECT user_sid, class_sid, "
            f"MIN(line) AS first FROM {STAGE} WHERE state = ? GROUP BY user_sid, class_sid "
            "HAVING COUNT(*) > 1) f ON f.user_sid = s.user_sid AND f.class_sid = s.class_sid "
            "WHERE s.state = ? AND s.line > f.first ORDER BY s.line", ACTIVE, ACTIVE)

    @staticmethod
    def classes_named():
        return {klass for (klass,) in fetch_all(f"SELECT DISTINCT class_sid FROM {STAGE}")}

    @staticmethod
    def plan(student_ids, course_ids):
        """Diff the ACTIVE rows against student_courses, given {sourcedId: id} of the
        students and courses that exist (or are linked) now. Returns (Plan, conflicts):
        conflicts are lines whose student is already in the class under another
        sourcedId (their rows are set LISTED)."""
        for table, ids in ((STUDENT_IDS, student_ids), (COURSE_IDS, course_ids)):
            run_sql(f"CREATE TEMP TABLE {table} (sourced_id TEXT PRIMARY KEY, id INTEGER)")
            with db.atomic():
                insert_rows(table, ("sourced_id", "id"), list(ids.items()))
        joined = (f"FROM {STAGE} st LEFT JOIN {STUDENT_IDS} s ON s.sourced_id = st.user_sid "
                  f"LEFT JOIN {COURSE_IDS} c ON c.sourced_id = st.class_sid "
                  "LEFT JOIN student_courses e ON e.sourced_id = st.sourced_id "
                  "LEFT JOIN student_courses p ON p.student_id = s.id AND p.course_id = c.id "
                  "WHERE st.state = ?")
        same = "COALESCE(e.student_id = s.id AND e.course_id = c.id, FALSE)"  # NULL: no
        plan = Plan()
        (active, plan.unchanged), = fetch_all(
            f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {same} THEN 1 ELSE 0 END), 0) {joined}",
            ACTIVE)
        # the rows that are neither new pairs nor unchanged: few, on any real import
        others = fetch_all(
            f"SELECT st.line, st.sourced_id, s.id, c.id, e.student_id, e.course_id, "
            f"p.student_id IS NOT NULL, p.sourced_id {joined} AND (e.student_id IS NOT NULL "
            f"OR p.student_id IS NOT NULL) AND NOT {same}",
            ACTIVE)
        conflicts = []
        for line, sourced, student, course, e_student, e_course, paired, p_sourced in others:
            if paired and p_sourced is not None:
                conflicts.append(line)  # the pair is another sourcedId's: left as it is
                continue
            if e_student is not None:
                plan.remove.append((e_student, e_course))  # moved: out of its old pair
            if paired:
                plan.link.append((student, course, sourced))  # entered by hand: link it
        StagedEnrollments.set_listed(conflicts)
        plan.creates = active - plan.unchanged - len(plan.link) - len(conflicts)
        return plan, conflicts

    @staticmethod
    def removals(bulk_scope, has_null_term):
        """(student_id, course_id) of the OneRoster-sourced enrollments this file removes:
        its `tobedeleted` rows, and with bulk (`bulk_scope`: the term ids it speaks for,
        None when not bulk) every sourced one in those terms that it does not list."""
        deleted = fetch_all(f"SELECT e.student_id, e.course_id FROM student_courses e JOIN "
                            f"{STAGE} st ON st.sourced_id = e.sourced_id WHERE st.state = ?",
                            DELETED)
        if bulk_scope is None:
            return deleted
        terms = sorted(bulk_scope)
        in_scope = " OR ".join(
            ([f"c.term_id IN ({placeholders(len(terms))})"] if terms else [])
            + (["c.term_id IS NULL"] if has_null_term else [])) or "FALSE"
        unlisted = fetch_all(
            "SELECT e.student_id, e.course_id FROM student_courses e JOIN courses c ON "
            f"c.id = e.course_id WHERE e.sourced_id IS NOT NULL AND ({in_scope}) AND NOT "
            f"EXISTS (SELECT 1 FROM {STAGE} st WHERE st.sourced_id = e.sourced_id)", *terms)
        return deleted + unlisted

    @staticmethod
    def sourced_pairs():
        """Every OneRoster-sourced enrollment, as a cursor of (student_id, course_id)."""
        return run_sql("SELECT student_id, course_id FROM student_courses "
                       "WHERE sourced_id IS NOT NULL")

    # -- applying (inside the importer's write transaction) ---------------------------

    @staticmethod
    def apply_creates(step=None):
        """Enroll every ACTIVE row whose student and class now exist and whose pair is not
        enrolled yet, with one history event each; returns how many. Students and
        courses are found by sourced_id: created, updated and linked ones carry it now."""
        run_sql(f"CREATE TEMP TABLE {CREATES} (n INTEGER PRIMARY KEY, student_id INTEGER, "
                "course_id INTEGER, sourced_id TEXT)")
        # numbered in primary-key order: the enrollment index is appended to, not shuffled
        run_sql(f"INSERT INTO {CREATES} (n, student_id, course_id, sourced_id) SELECT "
                "ROW_NUMBER() OVER (ORDER BY s.id, c.id), s.id, c.id, st.sourced_id "
                f"FROM {STAGE} st JOIN students s ON s.sourced_id = st.user_sid "
                "JOIN courses c ON c.sourced_id = st.class_sid WHERE st.state = ? AND NOT "
                "EXISTS (SELECT 1 FROM student_courses p WHERE p.student_id = s.id AND "
                "p.course_id = c.id)", ACTIVE)
        (total,), = fetch_all(f"SELECT COUNT(*) FROM {CREATES}")
        for start in range(0, total, APPLY_CHUNK):
            exchange.enroll_selected(f"{CREATES} WHERE n BETWEEN ? AND ? ORDER BY n",
                                     start + 1, start + APPLY_CHUNK)
            if step:
                step(min((start + APPLY_CHUNK) / total, 1.0))
        return total
