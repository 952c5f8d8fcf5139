"""What stops an enrollment besides capacity: a schedule clash or a missing prerequisite,
and the registrar's override of either (with a reason that goes into the history).

A clash: a course being added meets on a day another of the student's courses (or
another course of the same request) meets, at overlapping times (`a.start < b.end and
b.start < a.end`: back-to-back is fine), and their terms overlap (the same term, terms
whose dates overlap, or either has no term). A prerequisite group is met by an enrollment
in a course with one of its codes whose term ended before this course's term starts (any
such enrollment when this course has no term); courses added in the same request never
meet one. Both are found in one set-based statement however many courses, meetings or
students are involved (`find_conflicts`).
"""
from dataclasses import dataclass

from ..db import fetch_all, placeholders
from .prerequisites import group_words
from .schedule import DAY_NAMES, WEEKDAYS, clock, days_of

MAX_REASON = 500


@dataclass(frozen=True)
class Override:
    """A registrar's decision to enroll despite conflicts (and, with `over_capacity`,
    beyond the seats); `reason` is kept on each history event it lets through."""
    reason: str
    over_capacity: bool = False


def clean_override(reason, over_capacity=False):
    """An Override, or ({field: message}) for a reason that is empty, too long or holds
    a NUL (which Postgres cannot store)."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        return None, {"reason": "Say why the rules are overridden (1 to 500 characters)."}
    if len(reason) > MAX_REASON:
        return None, {"reason": f"At most {MAX_REASON} characters."}
    if "\x00" in reason:
        return None, {"reason": "Contains a character that is not allowed."}
    return Override(reason, bool(over_capacity)), {}


@dataclass(frozen=True)
class ScheduleClash:
    """`course_id` would meet at the same time as `with_course_id` on `day`, from
    `start` to `end` (the overlap, in minutes)."""
    student_id: int
    course_id: int
    code: str
    with_course_id: int
    with_code: str
    day: str
    start: int
    end: int

    type = "schedule_clash"

    @property
    def message(self):
        return f"Clashes with {self.with_code}, {DAY_NAMES[self.day]} {clock(self.start)}–{clock(self.end)}"

    def as_json(self):
        return {"type": self.type, "course_id": self.course_id,
                "with_course_id": self.with_course_id, "day": self.day,
                "start": clock(self.start), "end": clock(self.end)}


@dataclass(frozen=True)
class MissingPrerequisite:
    """The student has not (in an earlier term) taken any course of `requires`."""
    student_id: int
    course_id: int
    code: str
    requires: tuple

    type = "missing_prerequisite"

    @property
    def message(self):
        return f"Needs {group_words(self.requires)} first"

    def as_json(self):
        return {"type": self.type, "course_id": self.course_id, "requires": list(self.requires)}


# Fragments of the statement below. `a` is a meeting of a course being added, `b` one it
# may clash with; `ta`, `tb` their courses' terms (NULL: no term, overlaps every term).
_COURSE_TERMS = """JOIN courses c{x} ON c{x}.id = {x}.course_id
                   LEFT JOIN terms t{x} ON t{x}.id = c{x}.term_id"""
_MEET_TOGETHER = """(a.weekdays & b.weekdays) <> 0
                    AND a.start_minute < b.end_minute AND b.start_minute < a.end_minute"""
_TERMS_OVERLAP = """(ta.id IS NULL OR tb.id IS NULL
                     OR (ta.starts_on <= tb.ends_on AND tb.starts_on <= ta.ends_on))"""
_CLASH_COLUMNS = """ca.code, b.course_id, cb.code, a.weekdays & b.weekdays,
                    a.start_minute, a.end_minute, b.start_minute, b.end_minute"""
CLASH, PREREQUISITE = 1, 2


def _statement(students, courses, removed):
    """One statement in three arms: clashes with the students' courses, clashes within
    the request, prerequisite groups with whether each code is met. Returns (sql, params)."""
    s, n = placeholders(len(students)), placeholders(len(courses))
    not_removed = f"AND {{e}}.course_id NOT IN ({placeholders(len(removed))})" if removed else ""
    sql = f"""
        SELECT {CLASH}, e.student_id, a.course_id, {_CLASH_COLUMNS}
        FROM course_meetings a {_COURSE_TERMS.format(x="a")}
        JOIN student_courses e ON e.student_id IN ({s}) {not_removed.format(e="e")}
        JOIN course_meetings b ON b.course_id = e.course_id AND {_MEET_TOGETHER}
        {_COURSE_TERMS.format(x="b")}
        WHERE a.course_id IN ({n}) AND {_TERMS_OVERLAP}
        UNION ALL
        SELECT {CLASH}, NULL, a.course_id, {_CLASH_COLUMNS}
        FROM course_meetings a {_COURSE_TERMS.format(x="a")}
        JOIN course_meetings b ON b.course_id IN ({n}) AND b.course_id <> a.course_id
                               AND {_MEET_TOGETHER}
        {_COURSE_TERMS.format(x="b")}
        WHERE a.course_id IN ({n}) AND {_TERMS_OVERLAP}
        UNION ALL
        SELECT {PREREQUISITE}, s.id, p.course_id, c.code, p.group_number, p.required_code,
               CASE WHEN EXISTS (
                   SELECT 1 FROM student_courses d
                   JOIN courses cd ON cd.id = d.course_id
                   LEFT JOIN terms td ON td.id = cd.term_id
                   WHERE d.student_id = s.id AND LOWER(cd.code) = LOWER(p.required_code)
                     {not_removed.format(e="d")}
                     AND (t.id IS NULL OR td.ends_on < t.starts_on)) THEN 1 ELSE 0 END,
               NULL, NULL, NULL, NULL
        FROM course_prerequisites p
        JOIN courses c ON c.id = p.course_id
        LEFT JOIN terms t ON t.id = c.term_id
        JOIN students s ON s.id IN ({s})
        WHERE p.course_id IN ({n})"""
    params = [*students, *removed, *courses,   # arm 1
              *courses, *courses,              # arm 2
              *removed, *students, *courses]   # arm 3
    return sql, params


def find_conflicts(student_ids, course_ids, removed=()):
    """Every conflict of enrolling each of `student_ids` in each of `course_ids` (none
    of which they are in yet), given that they leave `removed` in the same change. Sorted
    by the order of `course_ids`; a clash between two courses of the request is reported
    once, on the later one. One query."""
    student_ids, course_ids = list(student_ids), list(course_ids)
    if not student_ids or not course_ids:
        return []
    position = {cid: index for index, cid in enumerate(course_ids)}
    clashes, groups = [], {}
    sql, params = _statement(student_ids, course_ids, list(removed))
    for kind, student, course, code, other, other_code, bits, *times in fetch_all(sql, *params):
        if kind == PREREQUISITE:
            entry = groups.setdefault((student, course, code, other), [False, []])
            entry[0] = entry[0] or bool(bits)
            entry[1].append(other_code)
            continue
        if student is None and position[course] < position[other]:
            continue  # the pair's earlier course: reported on the later one
        a_start, a_end, b_start, b_end = times
        for student_id in ([student] if student is not None else student_ids):
            clashes += [ScheduleClash(student_id, course, code, other, other_code, day,
                                      max(a_start, b_start), min(a_end, b_end))
                        for day in days_of(bits)]
    missing = [MissingPrerequisite(student, course, code, tuple(sorted(codes)))
               for (student, course, code, _), (met, codes) in groups.items() if not met]
    return sorted(clashes + missing, key=lambda c: (c.student_id, position[c.course_id],
                                                    _order_within(c)))


def conflict_messages(conflicts):
    """The conflicts in words, one clause per course clashed with and time (days
    together: "Clashes with PHY-201, Mon, Wed 09:00–10:00") and per missing group."""
    messages, days = [], {}
    for conflict in conflicts:
        if isinstance(conflict, ScheduleClash):
            key = (conflict.with_code, conflict.start, conflict.end)
            if key not in days:
                messages.append(key)
            days.setdefault(key, []).append(DAY_NAMES[conflict.day])
        else:
            messages.append(conflict.message)
    return [m if isinstance(m, str) else
            f"Clashes with {m[0]}, {', '.join(days[m])} {clock(m[1])}–{clock(m[2])}"
            for m in messages]


def _order_within(conflict):
    if isinstance(conflict, ScheduleClash):
        return (0, conflict.with_code, WEEKDAYS.index(conflict.day), conflict.start)
    return (1, conflict.requires)
