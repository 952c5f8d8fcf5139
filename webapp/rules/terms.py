"""Terms: create, change, delete; which term a page shows first; copying a term's courses
into the next one (rollover).

A term is a date range, `ends_on` inclusive. Courses may belong to one (courses.term_id);
a term with courses cannot be deleted.
"""
import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from peewee import fn

from ..db import fetch_all, placeholders, run_sql, write_transaction
from ..models import Course, Term, utcnow
from .records import (
    TERM_CODE_RE,
    InvalidRecord,
    RecordNotFound,
    clean_text,
    duplicate_fields,
    get_record,
    save_record,
)
from .wording import count_of

TERM_UNIQUE = {"code": "code"}


class TermInUse(Exception):
    """A term that courses still belong to cannot be deleted."""

    def __init__(self, term, course_count):
        one = course_count == 1
        super().__init__(f"{term.code}: {count_of(course_count, 'course')} still "
                         f"{'belongs' if one else 'belong'} to it; move or delete "
                         f"{'it' if one else 'them'} first")
        self.term, self.course_count = term, course_count


def _date(value, field_name, errors):
    try:
        return date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        errors[field_name] = "Enter a date like 2026-09-01."
        return None


def clean_term(data, current=None):
    """Validated {code, name, starts_on, ends_on} (dates as `YYYY-MM-DD`);
    with `current` (the Term being changed) only the given keys, checked against the
    others' current values."""
    errors, clean = {}, {}
    if current is None or "code" in data:
        code = (clean_text(data.get("code"), "code", errors, required=True, max_length=32)
                or "").upper()
        if "code" not in errors and not TERM_CODE_RE.match(code):
            errors["code"] = "Use letters, digits and dashes, like 2026-FALL."
        clean["code"] = code
    if current is None or "name" in data:
        clean["name"] = clean_text(data.get("name"), "name", errors, required=True, max_length=200)
    for key in ("starts_on", "ends_on"):
        if current is None or key in data:
            clean[key] = _date(data.get(key), key, errors)
    starts = clean.get("starts_on", current and current.starts_on)
    ends = clean.get("ends_on", current and current.ends_on)
    if starts and ends and ends < starts:
        errors["ends_on"] = f"Must be on or after the start ({starts.isoformat()})."
    if errors:
        raise InvalidRecord(errors)
    return clean


def _term_duplicates(values, exclude_id):
    return duplicate_fields(Term, values, exclude_id, TERM_UNIQUE)


_TERM_FIELDS = ("id", "code", "name", "starts_on", "ends_on", "sourced_id")


def list_terms():
    """Every term, by start date. Hand-written: every student page reads them, and peewee
    took 0.2 ms to build this query, eight times what running it takes."""
    return [Term.from_row(_TERM_FIELDS, row) for row in fetch_all(
        f"SELECT {', '.join(_TERM_FIELDS)} FROM terms ORDER BY starts_on, code")]


def terms_with_course_counts():
    """Every term by start date, each with `.course_count`. One query."""
    count = Course.select(fn.COUNT(Course.id)).where(Course.term == Term.id)
    return list(Term.select(Term, count.alias("course_count"))
                .order_by(Term.starts_on, Term.code))


get_term = functools.partial(get_record, Term)


def term_by_code(code):
    """The term with this code (any case), or RecordNotFound."""
    term = Term.get_or_none(Term.code == (code or "").strip().upper())
    if term is None:
        raise RecordNotFound("term", code)
    return term


def create_term(data):
    return save_record(Term, clean_term(data), _term_duplicates)


def update_term(term_id, data):
    """Partial update: only the keys present in `data` change."""
    term = get_term(term_id)
    return save_record(Term, clean_term(data, current=term), _term_duplicates, term)


def delete_term(term_id):
    """Delete a term that no course belongs to (else TermInUse)."""
    term = get_term(term_id)
    courses = Course.select().where(Course.term == term_id).count()
    if courses:
        raise TermInUse(term, courses)
    term.delete_instance()


def school_zone(zone_name):
    """The tzinfo of SCHOOL_TIMEZONE (UTC needs no tz database); ZoneInfoNotFoundError
    for a name that is no zone."""
    return timezone.utc if zone_name.upper() == "UTC" else ZoneInfo(zone_name)


def today(zone_name="UTC"):
    """The school's date now (SCHOOL_TIMEZONE): the day a term 'contains'."""
    return datetime.now(school_zone(zone_name)).date()


@dataclass(frozen=True)
class TermView:
    """Which courses a student page shows: one term's (`term`), or those with no term
    (`term` None)."""
    term: Term | None

    NO_TERM = "none"

    @property
    def term_id(self):
        return self.term.id if self.term else None

    @property
    def param(self):
        """The `?term=` value that shows this view again."""
        return str(self.term.id) if self.term else self.NO_TERM

    @property
    def label(self):
        return self.term.name if self.term else "No term"


def term_view(terms, choice, on_day):
    """The view `?term=` asks for: a term's id, `none`, or nothing for the default
    (default_term on `on_day`; no term when there are no terms). RecordNotFound for an
    id that is not one of `terms`."""
    if choice == TermView.NO_TERM:
        return TermView(None)
    if not choice:
        return TermView(default_term(terms, on_day))
    chosen = next((t for t in terms if str(t.id) == choice), None)
    if chosen is None:
        raise RecordNotFound("term", choice)
    return TermView(chosen)


def default_term(terms, on_day):
    """The term a page shows first: the one that contains `on_day`, else the next to
    start, else the latest (None when there are no terms). `terms` by start date."""
    current = [t for t in terms if t.starts_on <= on_day <= t.ends_on]
    upcoming = [t for t in terms if t.starts_on > on_day]
    if current or upcoming:
        return (current or upcoming)[0]
    return max(terms, key=lambda t: (t.ends_on, t.starts_on), default=None)


@dataclass
class Rollover:
    """What copying a term's courses did: codes copied, and codes already in the target."""
    source: Term
    target: Term
    copied: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def copy_courses(source_id, target_id):
    """Copy every course of the source term into the target term: code, title, capacity,
    meetings and prerequisites; no enrollments. A code the target term already has is
    left alone and reported in `skipped`. One transaction, a fixed number of statements."""
    source, target = get_term(source_id), get_term(target_id)
    if source.id == target.id:
        raise InvalidRecord({"target": "Choose a different term to copy into."})
    with write_transaction():
        codes = [code for (code,) in fetch_all(
            "SELECT code FROM courses WHERE term_id = ? ORDER BY code", source.id)]
        taken = {code for (code,) in fetch_all(
            "SELECT code FROM courses WHERE term_id = ?", target.id)}
        copied = [code for code in codes if code not in taken]
        if copied:
            _copy_rows(source.id, target.id, copied)
    return Rollover(source, target, copied, [code for code in codes if code in taken])


def _copy_rows(source_id, target_id, codes):
    """INSERT … SELECT the courses with these codes from source to target, then their
    meetings and prerequisites, matched by code."""
    in_codes = f"IN ({placeholders(len(codes))})"
    run_sql(f"""INSERT INTO courses (code, title, capacity, term_id, enrolled_count, created_at)
                SELECT code, title, capacity, ?, 0, ? FROM courses
                WHERE term_id = ? AND code {in_codes}""",
            target_id, utcnow(), source_id, *codes)
    matched = f"""FROM courses src JOIN courses dst ON dst.code = src.code AND dst.term_id = ?
                  JOIN {{table}} x ON x.course_id = src.id
                  WHERE src.term_id = ? AND src.code {in_codes}"""
    run_sql(f"""INSERT INTO course_meetings (course_id, weekdays, start_minute, end_minute, room)
                SELECT dst.id, x.weekdays, x.start_minute, x.end_minute, x.room
                {matched.format(table="course_meetings")}""", target_id, source_id, *codes)
    run_sql(f"""INSERT INTO course_prerequisites (course_id, group_number, required_code)
                SELECT dst.id, x.group_number, x.required_code
                {matched.format(table="course_prerequisites")}""", target_id, source_id, *codes)
