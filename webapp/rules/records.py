"""Create, update and delete students and courses: one source of validation.

Pages and the API both call these; the `errors` dict ({field: message}) drives the
re-rendered form and the JSON error alike. Input is already typed (str / int / None):
parsing form strings or checking JSON types is the caller's job.
"""
import functools
import re

from peewee import IntegrityError, fn

from ..db import db, fetch_all, write_transaction
from ..models import Course, Student, Term
from . import prerequisites, schedule
from .enrollment import _lock_courses
from .waitlist import promote_waiting

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STUDENT_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
# Term codes keep the strict shape; course codes are any printable text (is_course_code).
TERM_CODE_RE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")
COURSE_CODE_MAX = 64
COURSE_CODE_HINT = ("Use up to 64 printable characters (letters, digits, spaces, "
                    "punctuation), like MATH-101 or Phys 100 - 1.")


def is_course_code(code):
    """A course code as schools write them: 1-64 printable characters (spaces and letters
    beyond ASCII allowed, no control characters), no space at either end."""
    return (isinstance(code, str) and 0 < len(code) <= COURSE_CODE_MAX
            and code.isprintable() and code == code.strip())


class InvalidRecord(Exception):
    """Input that breaks a rule. `errors` maps field name to a human message."""

    status = 400

    def __init__(self, errors):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class DuplicateRecord(InvalidRecord):
    """A unique field (email, student number, course code) is taken."""

    status = 409


class RecordNotFound(Exception):
    def __init__(self, kind, record_id):
        super().__init__(f"{kind} {record_id} not found")
        self.kind, self.record_id = kind, record_id


def clean_text(value, field, errors, *, required, max_length):
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if not isinstance(value, str):
        errors[field] = "Must be text."
    elif required and not value:
        errors[field] = "This field is required."
    elif len(value) > max_length:
        errors[field] = f"At most {max_length} characters."
    elif "\x00" in value:  # Postgres cannot store NUL in text; no person types one
        errors[field] = "Contains a character that is not allowed."
    return value if isinstance(value, str) else None


def clean_student(data, partial=False):
    """Validated {name, email, student_number} from `data`; only given keys when partial."""
    errors, clean = {}, {}
    if not partial or "name" in data:
        clean["name"] = clean_text(data.get("name"), "name", errors, required=True, max_length=200)
    if not partial or "email" in data:
        email = clean_text(data.get("email"), "email", errors, required=False, max_length=254)
        if email and "email" not in errors and not EMAIL_RE.match(email):
            errors["email"] = "Enter a valid email address, like ada@example.edu."
        clean["email"] = (email or "").lower() or None  # optional: pupils may have none
    if not partial or "student_number" in data:
        number = clean_text(data.get("student_number"), "student_number", errors,
                       required=False, max_length=32)
        if number and "student_number" not in errors and not STUDENT_NUMBER_RE.match(number):
            errors["student_number"] = "Use letters, digits and dashes only."
        clean["student_number"] = number or None
    if errors:
        raise InvalidRecord(errors)
    return clean


def clean_course(data, partial=False, enrolled=0, current_capacity=None):
    """Validated {code, title, capacity, term_id, meetings, prerequisites}: meetings a
    list of {days, start, end, room} (schedule.clean_meeting), prerequisites groups of
    codes. A new capacity may not drop below `enrolled` (keeping `current_capacity` is
    fine even after an over-capacity override)."""
    errors, clean = {}, {}
    if not partial or "code" in data:
        code = clean_text(data.get("code"), "code", errors, required=True,
                          max_length=COURSE_CODE_MAX)
        if "code" not in errors and not is_course_code(code):
            errors["code"] = COURSE_CODE_HINT
        clean["code"] = code  # as written: `Phys 100 - 1` stays so
    if not partial or "title" in data:
        clean["title"] = clean_text(data.get("title"), "title", errors, required=True, max_length=200)
    if not partial or "capacity" in data:
        capacity = data.get("capacity")
        if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)):
            errors["capacity"] = "Must be a whole number, or empty for unlimited."
        elif capacity is not None and capacity < 1:
            errors["capacity"] = "Must be at least 1 (leave empty for unlimited)."
        elif capacity is not None and capacity < enrolled and capacity != current_capacity:
            errors["capacity"] = (f"{enrolled} students are enrolled; capacity cannot be "
                                  f"lower than that.")
        elif capacity is not None and capacity > 100_000:
            errors["capacity"] = "At most 100000."
        clean["capacity"] = capacity
    if not partial or "term_id" in data:
        clean["term_id"] = _term_id(data.get("term_id"), errors)
    if not partial or "meetings" in data:
        clean["meetings"] = _meetings(data.get("meetings") or [], errors)
    if not partial or "prerequisites" in data:
        clean["prerequisites"] = _prerequisites(data.get("prerequisites") or [], errors)
    if errors:
        raise InvalidRecord(errors)
    return clean


def _term_id(term_id, errors):
    if term_id is None:
        return None
    if isinstance(term_id, bool) or not isinstance(term_id, int):
        errors["term_id"] = "Must be a term's id, or empty for no term."
    elif not Term.select(Term.id).where(Term.id == term_id).exists():
        errors["term_id"] = f"There is no term with id {term_id}."
    return term_id


def _meetings(items, errors):
    if not isinstance(items, list):
        errors["meetings"] = "Must be a list of meetings."
        return []
    if len(items) > schedule.MAX_MEETINGS:
        errors["meetings"] = f"At most {schedule.MAX_MEETINGS} meetings."
        return []
    room = functools.partial(clean_text, required=False, max_length=32)
    return [schedule.clean_meeting(item, f"meetings.{index}", errors, room)
            for index, item in enumerate(items)]


def _prerequisites(groups, errors):
    """Groups of codes, normalised (prerequisites.normalise); every code a course code."""
    shaped = isinstance(groups, list) and all(
        isinstance(group, list) and group and all(isinstance(code, str) for code in group)
        for group in groups)
    if not shaped:
        errors["prerequisites"] = "Must be groups of course codes."
        return []
    groups = prerequisites.normalise(groups)
    bad = sorted({code for group in groups for code in group
                  if not is_course_code(code)})
    if bad:
        errors["prerequisites"] = (f"Not a course code: {', '.join(bad)}. Write codes like "
                                   "MATH-101, groups apart with ';' and choices with 'or'.")
    elif len(groups) > prerequisites.MAX_GROUPS or any(
            len(group) > prerequisites.MAX_CODES_PER_GROUP for group in groups):
        errors["prerequisites"] = (f"At most {prerequisites.MAX_GROUPS} groups of "
                                   f"{prerequisites.MAX_CODES_PER_GROUP} codes.")
    return groups


def duplicate_fields(model, values, exclude_id, unique_fields):
    """{field: message} for each unique field whose value another row already has."""
    errors = {}
    for field, label in unique_fields.items():
        value = values.get(field)
        if value is None:
            continue
        query = model.select(model.id).where(getattr(model, field) == value)
        if exclude_id is not None:
            query = query.where(model.id != exclude_id)
        if query.exists():
            errors[field] = f"Another {model.__name__.lower()} already has this {label}."
    return errors


def save_record(model, values, duplicates, record=None, then=None):
    """Insert or update, then `then(saved)` in the same transaction; the unique indexes
    decide, `duplicates(values, exclude_id)` only words the message."""
    try:
        with db.atomic():
            saved = record if record is not None else model()
            for key, value in values.items():
                setattr(saved, key, value)
            saved.save(force_insert=record is None)
            if then is not None:
                then(saved)
            return saved
    except IntegrityError:
        errors = duplicates(values, record.id if record else None)
        raise DuplicateRecord(errors or {"__all__": "This record clashes with another."}) \
            from None


STUDENT_UNIQUE = {"email": "email", "student_number": "student number"}
student_duplicates = functools.partial(duplicate_fields, Student, unique_fields=STUDENT_UNIQUE)


def _course_duplicates(record, values, exclude_id):
    """A course code is unique, in any case, within its term (and among courses with no
    term); migration 0011's index decides, this only words the message."""
    code = values.get("code", record.code if record else None)
    term_id = values.get("term_id", record.term_id if record else None)
    query = Course.select(Course.id).where(
        fn.LOWER(Course.code) == fn.LOWER(code),
        Course.term.is_null() if term_id is None else Course.term == term_id)
    if exclude_id is not None:
        query = query.where(Course.id != exclude_id)
    if not query.exists():
        return {}
    where = "with no term" if term_id is None else "in this term"
    return {"code": f"Another course {where} already has this code."}


def get_record(model, record_id):
    """The `model` row with this id, or RecordNotFound naming its kind."""
    record = model.get_or_none(model.id == record_id)
    if record is None:
        raise RecordNotFound(model.__name__.lower(), record_id)
    return record


get_student = functools.partial(get_record, Student)
get_course = functools.partial(get_record, Course)


def create_student(data):
    return save_record(Student, clean_student(data), student_duplicates)


def update_student(student_id, data):
    """Partial update: only the keys present in `data` change."""
    student = get_student(student_id)
    return save_record(Student, clean_student(data, partial=True), student_duplicates, student)


def delete_student(student_id):
    """Delete a student; their enrollments and waits go with them (ON DELETE CASCADE), and
    the seats they held go to the waitlists."""
    with write_transaction():
        course_ids = [cid for (cid,) in fetch_all(
            "SELECT course_id FROM student_courses WHERE student_id = ?", student_id)]
        _lock_courses(course_ids)  # in id order, before the cascade touches them
        get_student(student_id).delete_instance()
        promote_waiting(course_ids)


def _save_course(values, record=None):
    """The course row, then (same transaction) its meetings and prerequisites when given."""
    meetings, groups = values.pop("meetings", None), values.pop("prerequisites", None)

    def save_lists(course):
        if meetings is not None:
            schedule.replace_meetings(course.id, meetings)
        if groups is not None:
            prerequisites.replace_prerequisites(course.id, groups)
    return save_record(Course, values, functools.partial(_course_duplicates, record), record,
                 save_lists)


def create_course(data):
    return _save_course(clean_course(data))


def update_course(course_id, data):
    """Partial update; `meetings` and `prerequisites`, when given, replace the lists; a
    raised capacity gives the new seats to the waitlist."""
    with write_transaction():
        _lock_courses([course_id])
        course = get_course(course_id)
        values = clean_course(data, partial=True, enrolled=course.enrolled_count,
                              current_capacity=course.capacity)
        saved = _save_course(values, course)
        promote_waiting([course_id])
    return saved
