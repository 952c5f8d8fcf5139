"""Flask-WTF forms for students, courses and terms.

The forms only carry fields and the CSRF token; every rule lives in the rules (records.py,
terms.py), whose errors dict is put back next to the fields (`save`).
"""
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice

from ..rules import prerequisites
from ..rules.records import InvalidRecord
from ..rules.schedule import DAY_NAMES, WEEKDAYS


class RecordForm(FlaskForm):
    """A form whose validation is records.py's; subclasses say which fields it sends."""

    def values(self):
        return {name: self[name].data for name in self.record_fields}

    def field_for(self, key):
        """The field an error key of the rules names (None: a form-wide message)."""
        return self._fields.get(key)

    def save(self, write):
        """Call `write(values)`; on InvalidRecord put each message next to its field
        (unknown keys go to `form_errors`) and return None."""
        if not self.validate():  # the CSRF token
            return None
        try:
            return write(self.values())
        except InvalidRecord as error:
            for field, message in error.errors.items():
                target = self.field_for(field)
                (target.errors if target is not None else self.form_errors).append(message)
            return None


class StudentForm(RecordForm):
    record_fields = ("name", "email", "student_number")
    name = StringField("Name")
    email = EmailField("Email (optional)")
    student_number = StringField("Student number (optional)")


def _whole_number_or_text(text):
    """An int for whole-number text, None for blank, else the text itself (so the rules'
    'whole number' message is the one shown)."""
    text = (text or "").strip()
    return int(text) if text.lstrip("-").isdigit() else (text or None)


class MeetingForm(Form):
    """One meeting row of the course form (no CSRF token of its own)."""
    days = SelectMultipleField("Days", choices=[SelectChoice(day, DAY_NAMES[day])
                                                for day in WEEKDAYS], validate_choice=False)
    start = StringField("Starts", render_kw={"type": "time"})
    end = StringField("Ends", render_kw={"type": "time"})
    room = StringField("Room (optional)")

    def is_blank(self):
        return not (self.days.data or (self.start.data or "").strip()
                    or (self.end.data or "").strip() or (self.room.data or "").strip())

    def values(self):
        return {"days": self.days.data or [], "start": self.start.data, "end": self.end.data,
                "room": self.room.data}


class CourseForm(RecordForm):
    """Code, title, capacity, term, meeting rows (blank rows are ignored) and
    prerequisites as text (`MATH-101 or MATH-100; PHY-101`)."""
    record_fields = ("code", "title", "capacity", "term_id", "meetings", "prerequisites")
    code = StringField("Code")
    title = StringField("Title")
    capacity = StringField("Capacity (empty = unlimited)")
    term_id = SelectField("Term", choices=[], validate_choice=False)
    meetings = FieldList(FormField(MeetingForm), min_entries=1)
    prerequisites = StringField("Prerequisites (optional)")

    def __init__(self, *args, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.term_id.choices = [SelectChoice("", "No term")] + [
            SelectChoice(str(t.id), f"{t.name} ({t.code})") for t in terms]
        self._filled = []  # form row index of each meeting sent to the rules

    @classmethod
    def for_course(cls, course, meetings, groups, terms):
        """The edit form of a course, its meetings and prerequisite groups. (Not `obj=`:
        the Course's `meetings` and `prerequisites` are backrefs, not these fields.)"""
        capacity = "" if course.capacity is None else str(course.capacity)
        form = cls(terms=terms, data={
            "code": course.code, "title": course.title, "capacity": capacity,
            "term_id": str(course.term_id or ""),
            "meetings": [{"days": list(m.days), "start": m.start_text, "end": m.end_text,
                          "room": m.room or ""} for m in meetings] or [{}],
            "prerequisites": prerequisites.as_text(groups)})
        return form

    def values(self):
        self._filled = [index for index, row in enumerate(self.meetings) if not row.is_blank()]
        term = (self.term_id.data or "").strip()
        return {"code": self.code.data, "title": self.title.data,
                "capacity": _whole_number_or_text(self.capacity.data),
                "term_id": int(term) if term.isdigit() else (term or None),
                "meetings": [self.meetings[index].values() for index in self._filled],
                "prerequisites": prerequisites.parse(self.prerequisites.data)}

    def field_for(self, key):
        """`meetings.1.end` names the end field of the second meeting sent (blank rows
        were skipped, so map back to the form's row)."""
        parts = key.split(".")
        if parts[0] == "meetings" and len(parts) >= 2 and parts[1].isdigit():
            row = self.meetings[self._filled[int(parts[1])]]
            return row[parts[2]] if len(parts) > 2 else row.form.days
        return super().field_for(key)

    def change_rows(self, action):
        """Add a blank meeting row (`add`) or remove row number N (`remove-N`); True if
        the action was one of those."""
        if action == "add":
            self.meetings.append_entry()
        elif action.startswith("remove-") and action[7:].isdigit():
            index = int(action[7:])
            if index < len(self.meetings):
                kept = [row.data for i, row in enumerate(self.meetings) if i != index]
                while len(self.meetings):
                    self.meetings.pop_entry()
                for data in kept or [{}]:
                    self.meetings.append_entry(data)
        else:
            return False
        return True


class TermForm(RecordForm):
    record_fields = ("code", "name", "starts_on", "ends_on")
    code = StringField("Code")
    name = StringField("Name")
    starts_on = StringField("First day", render_kw={"type": "date"})
    ends_on = StringField("Last day", render_kw={"type": "date"})
