"""Peewee models. The schema itself is owned by migrations/; these mirror it."""
from datetime import datetime, timezone

from peewee import (JOIN, SQL, AutoField, BooleanField, CharField, CompositeKey, DateField,
                    DateTimeField, FloatField, ForeignKeyField, IntegerField, Model,
                    TextField, fn)

from .db import db
from .rules.names import name_keys, search_pattern

# Ids are Postgres `integer` columns; anything larger can never name a row (and SQLite
# cannot even bind an integer past 2**63). The API's schemas and the pages both use it.
MAX_ID = 2**31 - 1


def utcnow():
    """Naive UTC timestamp (stored without zone on both databases)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False

    @classmethod
    def from_row(cls, columns, row):
        """An instance from a row of hand-written SQL (db.fetch_all) whose `columns` are
        fields of the model, each value converted as a peewee query would (SQLite hands
        dates back as text): for the reads of every page, where building the query cost
        more than running it."""
        fields = cls._meta.fields
        return cls(**{name: fields[name].python_value(value)
                      for name, value in zip(columns, row)})


class Student(BaseModel):
    id = AutoField()
    name = CharField(max_length=200)
    # Optional (pupils may have none); unique when present, lower-cased on every write.
    email = CharField(max_length=254, unique=True, null=True)
    student_number = CharField(max_length=32, unique=True, null=True)
    created_at = DateTimeField(default=utcnow)
    # Derived from `name` on every write (rules/names.py, migration 0013): the folded
    # name in its spellings, and the family-then-given order.
    search_key = TextField(default="", constraints=[SQL("DEFAULT ''")])
    sort_key = TextField(default="", constraints=[SQL("DEFAULT ''")])
    # The OneRoster sourcedId this row came from (NULL: entered here by hand); 0011.
    sourced_id = CharField(max_length=255, unique=True, null=True)

    class Meta:
        table_name = "students"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower() or None
        for key, value in name_keys(self.name).items():
            setattr(self, key, value)
        return super().save(*args, **kwargs)

    @classmethod
    def by_name(cls):
        """The ORDER BY of every list of students: family name, then given name."""
        return (cls.sort_key, cls.id)

    @classmethod
    def search(cls, q=""):
        """Students whose name (as "Given Family" or "Family, Given", accents and case
        aside), email or number contains `q`, by family name, each with `.course_count`.
        Unexecuted, so callers page or count it."""
        course_count = (StudentCourse.select(fn.COUNT(StudentCourse.course))
                        .where(StudentCourse.student == cls.id))
        query = cls.select(cls, course_count.alias("course_count"))
        q = (q or "").strip()
        if q:
            pattern = search_pattern(q)
            # LIKE '%…%' on SQLite, ILIKE on Postgres: both sides are folded already, so
            # neither database's case rules or collation decide anything.
            by_name = cls.search_key.contains(pattern) if pattern else None
            others = cls.email.contains(q) | cls.student_number.contains(q)
            query = query.where(others if by_name is None else by_name | others)
        return query.order_by(*cls.by_name())

    @classmethod
    def not_in_course(cls, course_id, q=""):
        """`search(q)` without the students already enrolled in `course_id`. Unexecuted."""
        enrolled = StudentCourse.select(StudentCourse.student).where(
            StudentCourse.course == course_id)
        return cls.search(q).where(cls.id.not_in(enrolled))

    @property
    def courses(self):
        """The student's courses (a Course query through the junction), by code."""
        return (Course.select()
                .join(StudentCourse)
                .where(StudentCourse.student == self.id)
                .order_by(Course.code))


class Seats:
    """Seat arithmetic for anything with `capacity` (None: unlimited) and `enrolled_count`:
    a Course, or a lighter row read for the student page's checklist."""

    __slots__ = ()

    @property
    def seats_left(self):
        """Seats still free, or None when the course is unlimited."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.enrolled_count, 0)

    @property
    def is_full(self):
        return self.capacity is not None and self.enrolled_count >= self.capacity

    @property
    def seats_text(self):
        """'12 of 30 seats left', 'Full', or 'No limit' when the course is unlimited."""
        if self.capacity is None:
            return "No limit"
        if self.is_full:
            return "Full"
        return f"{self.seats_left} of {self.capacity} seats left"


ANY_TERM = object()  # Course.search: do not narrow by term


class Term(BaseModel):
    """A stretch of the school year; `ends_on` is inclusive. Courses may belong to one."""
    id = AutoField()
    code = CharField(max_length=32, unique=True)
    name = CharField(max_length=200)
    starts_on = DateField()
    ends_on = DateField()
    sourced_id = CharField(max_length=255, unique=True, null=True)  # OneRoster's (0011)

    class Meta:
        table_name = "terms"


class Course(Seats, BaseModel):
    id = AutoField()
    # Unique within a term, and among courses with no term (migration 0006's index); any
    # printable text as the source writes it (0011), like `Phys 100 - 1`.
    code = CharField(max_length=64)
    title = CharField(max_length=200)
    capacity = IntegerField(null=True, constraints=[SQL("CHECK (capacity IS NULL OR capacity >= 1)")])
    # Maintained by database triggers on student_courses (migration 0003).
    enrolled_count = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    created_at = DateTimeField(default=utcnow)
    term = ForeignKeyField(Term, null=True, backref="courses", index=False)  # see 0006
    sourced_id = CharField(max_length=255, unique=True, null=True)  # OneRoster's (0011)

    class Meta:
        table_name = "courses"

    @classmethod
    def search(cls, q="", term=ANY_TERM):
        """Courses whose code or title contains `q` (any case), by code, then term start;
        `term` narrows to one term's id, or None for the courses with no term. Each row
        carries `.term` (joined). Unexecuted."""
        query = cls.select(cls, Term).join(Term, JOIN.LEFT_OUTER)
        q = (q or "").strip()
        if q:
            query = query.where(cls.code.contains(q) | cls.title.contains(q))
        if term is None:
            query = query.where(cls.term.is_null())
        elif term is not ANY_TERM:
            query = query.where(cls.term == term)
        return query.order_by(cls.code, Term.starts_on, cls.id)

    @property
    def students(self):
        """The course's students (a Student query through the junction), by family name."""
        return (Student.select()
                .join(StudentCourse)
                .where(StudentCourse.course == self.id)
                .order_by(*Student.by_name()))


class StudentCourse(BaseModel):
    """The enrollment junction: one row per (student, course)."""
    student = ForeignKeyField(Student, backref="enrollments", on_delete="CASCADE")
    course = ForeignKeyField(Course, backref="enrollments", on_delete="CASCADE", index=True)
    enrolled_at = DateTimeField(default=utcnow)
    sourced_id = CharField(max_length=255, unique=True, null=True)  # OneRoster's (0011)

    class Meta:
        table_name = "student_courses"
        primary_key = CompositeKey("student", "course")


class CourseMeeting(BaseModel):
    """A weekly meeting: `weekdays` is a bit set (Monday 1 … Sunday 64), times are minutes
    after midnight, school time (rules/schedule.py turns them into days and HH:MM)."""
    id = AutoField()
    course = ForeignKeyField(Course, backref="meetings", on_delete="CASCADE")
    weekdays = IntegerField()
    start_minute = IntegerField()
    end_minute = IntegerField()
    room = CharField(max_length=32, null=True)

    class Meta:
        table_name = "course_meetings"


class CoursePrerequisite(BaseModel):
    """One code of one group: every group of a course must be met, any code of a group
    meets it."""
    course = ForeignKeyField(Course, backref="prerequisites", on_delete="CASCADE")
    group_number = IntegerField()
    required_code = CharField(max_length=64)

    class Meta:
        table_name = "course_prerequisites"
        primary_key = CompositeKey("course", "group_number", "required_code")


ROLES = ("registrar", "staff")


class User(BaseModel):
    """A member of school staff who signs in. Registrars may change data; staff only read."""
    id = AutoField()
    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=200)
    role = CharField(max_length=16)
    password_hash = CharField(max_length=255)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "users"

    @property
    def can_edit(self):
        return self.role == "registrar"


class UserSession(BaseModel):
    """A signed-in browser; the cookie holds the secret, this row only its SHA-256."""
    token_hash = CharField(max_length=64, primary_key=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()

    class Meta:
        table_name = "user_sessions"


class ApiToken(BaseModel):
    """A bearer token for the JSON API, stored as its SHA-256; revoked tokens stay for audit."""
    id = AutoField()
    token_hash = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    name = CharField(max_length=100, default="")  # what its owner calls it ("SIS sync")
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)

    class Meta:
        table_name = "api_tokens"


class SetPasswordLink(BaseModel):
    """A one-time link that lets its holder choose the account's password: stored as the
    SHA-256 of its secret, good once (used_at) until expires_at."""
    id = AutoField()
    token_hash = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="set_password_links", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)

    class Meta:
        table_name = "set_password_links"


class LoginFailure(BaseModel):
    """One failed sign-in; counted per account and per address to throttle guessing."""
    id = AutoField()
    email = CharField(max_length=254)
    address = CharField(max_length=64)
    at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "login_failures"


class EnrollmentEvent(BaseModel):
    """History: one row per effective change (enroll, unenroll, promote, waitlist_add,
    waitlist_remove), written in the change's transaction."""
    id = AutoField()
    student = ForeignKeyField(Student, on_delete="CASCADE")
    course = ForeignKeyField(Course, on_delete="CASCADE")
    action = CharField(max_length=16)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    actor_name = CharField(max_length=200)
    request_id = CharField(max_length=64, null=True)
    at = DateTimeField(default=utcnow)
    override_reason = CharField(max_length=500, null=True)

    class Meta:
        table_name = "enrollment_events"



class WaitlistEntry(BaseModel):
    """A student waiting for a seat in a full course; `position` orders the course's queue
    (1 = next). Enrolling the student ends the wait (a trigger, migration 0009)."""
    id = AutoField()
    course = ForeignKeyField(Course, backref="waitlist", on_delete="CASCADE", index=False)
    student = ForeignKeyField(Student, backref="waitlists", on_delete="CASCADE")
    position = IntegerField()
    added_at = DateTimeField(default=utcnow)
    added_by = ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)

    class Meta:
        table_name = "waitlist_entries"
        indexes = ((("course", "student"), True),)


class OutboxMessage(BaseModel):
    """Mail written with the change it announces and sent after commit (ops/mailer.py);
    `sent_at` stays empty until a server accepted it."""
    id = AutoField()
    recipient = CharField(max_length=254)
    subject = CharField(max_length=200)
    body = TextField()
    student = ForeignKeyField(Student, null=True, on_delete="CASCADE")
    course = ForeignKeyField(Course, null=True, on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    last_error = TextField(null=True)

    class Meta:
        table_name = "outbox"


IMPORT_STATUSES = ("queued", "running", "done", "failed")


class ImportJob(BaseModel):
    """A OneRoster upload run by the job consumer (webapp/ops/jobs.py). `report` holds the
    JSON object of API.md once done; the live progress of a running job is kept outside
    this table (see jobs.py), `progress` is where it ended."""
    id = AutoField()
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL",
                                 column_name="created_by_id")
    created_at = DateTimeField(default=utcnow)
    filename = CharField(max_length=255)
    stored_path = CharField(max_length=1024)
    dry_run = BooleanField()
    strict = BooleanField()
    allow_removals = BooleanField()
    status = CharField(max_length=16, default="queued")
    progress = FloatField(default=0)
    report = TextField(null=True)
    exit_code = IntegerField(null=True)
    needs_removal_confirmation = BooleanField(default=False)
    error = TextField(null=True)
    started_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)

    class Meta:
        table_name = "import_jobs"

    @property
    def finished(self):
        return self.status in {"done", "failed"}
