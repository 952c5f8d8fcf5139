"""Create, update and delete students and courses: one source of validation.

Pages and the API both call these; the `errors` dict ({field: message}) drives the
re-rendered form and the JSON error alike. Input is already typed (str / int / None):
parsing form strings or checking JSON types is the caller's job.
"""
import re

from peewee import IntegrityError

from ..db import db, fetch_all, write_transaction
from ..models import Course, Student
from .enrollment import _lock_courses
from .waitlist import promote_waiting

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STUDENT_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
COURSE_CODE_RE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")


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


def _text(value, field, errors, *, required, max_length):
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
        clean["name"] = _text(data.get("name"), "name", errors, required=True, max_length=200)
    if not partial or "email" in data:
        email = _text(data.get("email"), "email", errors, required=True, max_length=254)
        if "email" not in errors and not EMAIL_RE.match(email):
            errors["email"] = "Enter a valid email address, like ada@example.edu."
        clean["email"] = (email or "").lower()
    if not partial or "student_number" in data:
        number = _text(data.get("student_number"), "student_number", errors,
                       required=False, max_length=32)
        if number and "student_number" not in errors and not STUDENT_NUMBER_RE.match(number):
            errors["student_number"] = "Use letters, digits and dashes only."
        clean["student_number"] = number or None
    if errors:
        raise InvalidRecord(errors)
    return clean


def clean_course(data, partial=False, enrolled=0):
    """Validated {code, title, capacity}; capacity may not drop below `enrolled`."""
    errors, clean = {}, {}
    if not partial or "code" in data:
        code = _text(data.get("code"), "code", errors, required=True, max_length=32)
        code = (code or "").upper()
        if "code" not in errors and not COURSE_CODE_RE.match(code):
            errors["code"] = "Use letters, digits and dashes, like MATH-101."
        clean["code"] = code
    if not partial or "title" in data:
        clean["title"] = _text(data.get("title"), "title", errors, required=True, max_length=200)
    if not partial or "capacity" in data:
        capacity = data.get("capacity")
        if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)):
            errors["capacity"] = "Must be a whole number, or empty for unlimited."
        elif capacity is not None and capacity < 1:
            errors["capacity"] = "Must be at least 1 (leave empty for unlimited)."
        elif capacity is not None and capacity < enrolled:
            errors["capacity"] = (f"{enrolled} students are enrolled; capacity cannot be "
                                  f"lower than that.")
        elif capacity is not None and capacity > 100_000:
            errors["capacity"] = "At most 100000."
        clean["capacity"] = capacity
    if errors:
        raise InvalidRecord(errors)
    return clean


def _duplicates(model, values, unique_fields, exclude_id):
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


def _save(model, values, unique_fields, record=None):
    """Insert or update; the unique indexes decide, the lookup only words the message."""
    try:
        with db.atomic():
            if record is None:
                return model.create(**values)
            for key, value in values.items():
                setattr(record, key, value)
            record.save()
            return record
    except IntegrityError:
        errors = _duplicates(model, values, unique_fields, record.id if record else None)
        raise DuplicateRecord(errors or {"__all__": "This record clashes with another."}) \
            from None


STUDENT_UNIQUE = {"email": "email", "student_number": "student number"}
COURSE_UNIQUE = {"code": "code"}


def get_student(student_id):
    student = Student.get_or_none(Student.id == student_id)
    if student is None:
        raise RecordNotFound("student", student_id)
    return student


def get_course(course_id):
    course = Course.get_or_none(Course.id == course_id)
    if course is None:
        raise RecordNotFound("course", course_id)
    return course


def create_student(data):
    return _save(Student, clean_student(data), STUDENT_UNIQUE)


def update_student(student_id, data):
    """Partial update: only the keys present in `data` change."""
    student = get_student(student_id)
    return _save(Student, clean_student(data, partial=True), STUDENT_UNIQUE, student)


def delete_student(student_id):
    """Delete a student; their enrollments and waits go with them (ON DELETE CASCADE), and
    the seats they held go to the waitlists."""
    with write_transaction():
        course_ids = [cid for (cid,) in fetch_all(
            "SELECT course_id FROM student_courses WHERE student_id = ?", student_id)]
        _lock_courses(course_ids)  # in id order, before the cascade touches them
        get_student(student_id).delete_instance()
        promote_waiting(course_ids)


def create_course(data):
    return _save(Course, clean_course(data), COURSE_UNIQUE)


def update_course(course_id, data):
    """Partial update; a raised capacity gives the new seats to the waitlist."""
    with write_transaction():
        _lock_courses([course_id])
        course = get_course(course_id)
        values = clean_course(data, partial=True, enrolled=course.enrolled_count)
        saved = _save(Course, values, COURSE_UNIQUE, course)
        promote_waiting([course_id])
    return saved
