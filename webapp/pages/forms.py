"""Flask-WTF forms for students and courses.

The forms only carry fields and the CSRF token; every rule lives in rules/records.py, whose
errors dict is put back next to the fields (`save`).
"""
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField

from ..rules.records import InvalidRecord


class RecordForm(FlaskForm):
    """A form whose validation is records.py's; subclasses say which fields it sends."""

    def values(self):
        return {name: self[name].data for name in self.record_fields}

    def save(self, write):
        """Call `write(values)`; on InvalidRecord put each message next to its field
        (unknown keys go to `form_errors`) and return None."""
        if not self.validate():  # the CSRF token
            return None
        try:
            return write(self.values())
        except InvalidRecord as error:
            for field, message in error.errors.items():
                target = self._fields.get(field)
                (target.errors if target is not None else self.form_errors).append(message)
            return None


class StudentForm(RecordForm):
    record_fields = ("name", "email", "student_number")
    name = StringField("Name")
    email = EmailField("Email")
    student_number = StringField("Student number (optional)")


class CourseForm(RecordForm):
    record_fields = ("code", "title", "capacity")
    code = StringField("Code")
    title = StringField("Title")
    capacity = StringField("Capacity (empty = unlimited)")

    def values(self):
        """records.clean_course wants an int or None; other text passes through so its
        'whole number' message is the one shown."""
        values = super().values()
        text = (values["capacity"] or "").strip()
        values["capacity"] = int(text) if text.lstrip("-").isdigit() else (text or None)
        return values
