"""Prerequisites: which courses a course needs first, as groups of codes.

Every group must be met; any one code of a group meets it. People write them as text —
`MATH-101 or MATH-100; PHY-101` — and read them back in words — "MATH-100 or MATH-101,
and PHY-101". Whether a student meets them is decided at enrollment (rules/conflicts.py).
"""
import re

from ..db import fetch_all, insert_rows, placeholders, run_sql

GROUP_RE = re.compile(r"\s*;\s*|,?\s+and\s+", re.IGNORECASE)
ALTERNATIVE_RE = re.compile(r"\s+or\s+|\s*,\s*|\s*/\s*", re.IGNORECASE)
MAX_GROUPS = 20
MAX_CODES_PER_GROUP = 10


def parse(text):
    """Groups of codes from `MATH-101 or MATH-100; PHY-101`: groups end at `;` or `and`,
    alternatives are separated by `or`, `,` or `/` (so the words of `in_words` read back
    too); empty text is no prerequisites. Codes are not checked here."""
    groups = []
    for part in GROUP_RE.split((text or "").strip()):
        codes = [code for code in ALTERNATIVE_RE.split(part.strip()) if code]
        if codes:
            groups.append(codes)
    return groups


def normalise(groups):
    """Codes trimmed (otherwise as written, like course codes) and sorted, repeats
    dropped, groups in a stable order (the form a course's prerequisites are stored and
    shown in)."""
    clean = set()
    for group in groups:
        by_case = {}  # codes match in any case (rules/conflicts.py): one spelling each
        for code in (code.strip() for code in group):
            by_case.setdefault(code.lower(), code)
        clean.add(tuple(sorted(by_case.values(), key=lambda code: (code.lower(), code))))
    return [list(group) for group in sorted(clean) if group]


def as_text(groups):
    """What `parse` reads back: `MATH-100 or MATH-101; PHY-101`."""
    return "; ".join(" or ".join(group) for group in groups)


def group_words(group):
    """'MATH-101', 'MATH-100 or MATH-101', 'ART-1, ART-2 or ART-3'."""
    return group[0] if len(group) == 1 else f"{', '.join(group[:-1])} or {group[-1]}"


def in_words(groups):
    """'MATH-100 or MATH-101, and PHY-101' ('' when there are none); every group boundary
    is ", and" so that `parse` reads the words back as the same groups."""
    return ", and ".join(group_words(group) for group in groups)


def groups_of(course_ids):
    """{course_id: [[code, …], …]} for the given courses, normalised. One query."""
    course_ids = list(course_ids)
    groups = {cid: {} for cid in course_ids}
    if not course_ids:
        return {}
    rows = fetch_all(f"""SELECT course_id, group_number, required_code FROM course_prerequisites
                         WHERE course_id IN ({placeholders(len(course_ids))})
                         ORDER BY course_id, group_number, required_code""", *course_ids)
    for course_id, number, code in rows:
        groups[course_id].setdefault(number, []).append(code)
    return {cid: normalise(by_number.values()) for cid, by_number in groups.items()}


PREREQUISITE_COLUMNS = ("course_id", "group_number", "required_code")


def replace_prerequisites(course_id, groups):
    """Make `groups` the course's whole list (call inside the course's transaction)."""
    run_sql("DELETE FROM course_prerequisites WHERE course_id = ?", course_id)
    insert_rows("course_prerequisites", PREREQUISITE_COLUMNS,
                [(course_id, number, code) for number, group in enumerate(groups, 1)
                 for code in group])
