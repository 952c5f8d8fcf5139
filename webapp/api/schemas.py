"""Request and response models of the JSON API (pydantic); the OpenAPI document is
generated from them, so the document and the checks cannot drift apart.

Request bodies are strict (no "3" for 3, no 1.0, no true) and reject unknown keys. Their
constraints mirror the rules of rules/records.py, which still has the last word: anything these
models accept, records.py accepts too, so a well-formed request never meets a surprise 400.
"""
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer,
                      WithJsonSchema, model_serializer)

from ..models import MAX_ID
from ..models import Course as CourseRow
from ..models import Student as StudentRow
from ..rules import prerequisites as prerequisite_rules
from ..rules.audit import ACTIONS
from ..rules.conflicts import MAX_REASON
from ..rules import records
from ..rules.enrollment import MAX_IDS_PER_REQUEST
from ..rules.schedule import MAX_MEETINGS, WEEKDAYS

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25

# Text the databases can store (Postgres refuses NUL) with at least one character that
# str.strip() keeps (it also strips \x1c-\x1f, which regex \s does not cover).
VISIBLE_TEXT = r"^[^\x00]*[^\s\x00\x1c-\x1f][^\x00]*$"
NO_NUL = r"^[^\x00]*$"
# records.EMAIL_RE narrowed to printable ASCII, so lower-casing never changes the length.
EMAIL = r"^[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+$"
STUDENT_NUMBER = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
# records.TERM_CODE_RE before it upper-cases the code.
TERM_CODE = r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"
# Course codes as schools write them (records.is_course_code): printable text, no control
# characters, no space at either end (`Phys 100 - 1`, `ÉTÉ-101`).
COURSE_CODE = r"^[^\s\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$"
# A calendar date; whether the day exists (2026-02-30) is the rules' to say (400).
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

PATTERN_HINTS = {
    VISIBLE_TEXT: "Must contain visible text (and no NUL characters).",
    NO_NUL: "Must not contain NUL characters.",
    EMAIL: "Enter a valid email address, like ada@example.edu.",
    STUDENT_NUMBER: "Use letters, digits and dashes only.",
    TERM_CODE: "Use letters, digits and dashes, like 2026-FALL.",
    COURSE_CODE: records.COURSE_CODE_HINT,
    DATE: "Enter a date like 2026-09-01.",
    CLOCK: "Enter a 24-hour time like 09:00.",
}


def friendly_message(problem):
    """A pydantic error's message, with regexes replaced by what a person should type."""
    if problem["type"] == "string_pattern_mismatch":
        return PATTERN_HINTS.get(problem.get("ctx", {}).get("pattern"), problem["msg"])
    return problem["msg"]


def _whole_number(value):
    """2.0 is the integer 2 in JSON Schema's sense; 2.5, "2" and true stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True), BeforeValidator(_whole_number)]
Name = Annotated[str, Field(min_length=1, max_length=StudentRow.name.max_length,
                            pattern=VISIBLE_TEXT)]
Email = Annotated[str, Field(max_length=StudentRow.email.max_length, pattern=EMAIL,
                             examples=["ada@example.edu"])]
StudentNumber = Annotated[str, Field(max_length=StudentRow.student_number.max_length,
                                     pattern=STUDENT_NUMBER, examples=["S-1001"])]
Code = Annotated[str, Field(max_length=CourseRow.code.max_length, pattern=COURSE_CODE,
                            examples=["MATH-101"])]
TermCode = Annotated[str, Field(max_length=32, pattern=TERM_CODE, examples=["2026-FALL"])]
Title = Annotated[str, Field(min_length=1, max_length=CourseRow.title.max_length,
                             pattern=VISIBLE_TEXT)]
Capacity = Annotated[int, Field(ge=1, le=100_000, strict=True), BeforeValidator(_whole_number)]
IdList = Annotated[list[Id], Field(max_length=MAX_IDS_PER_REQUEST)]
DateText = Annotated[str, Field(pattern=DATE),
                     WithJsonSchema({"type": "string", "format": "date", "pattern": DATE,
                                     "examples": ["2026-09-01"]})]
Clock = Annotated[str, Field(pattern=CLOCK, examples=["09:00"])]
Weekday = Literal[WEEKDAYS]
Room = Annotated[str, Field(max_length=32, pattern=NO_NUL, examples=["B12"])]
PrerequisiteGroup = Annotated[list[Code], Field(
    min_length=1, max_length=prerequisite_rules.MAX_CODES_PER_GROUP)]
Prerequisites = Annotated[list[PrerequisiteGroup], Field(
    max_length=prerequisite_rules.MAX_GROUPS,
    description="Every inner list must be met; one code of an inner list meets it "
                "(an enrollment in a course with that code, in a term that ended before "
                "this course's term starts). Stored as written, each list sorted.",
    examples=[[["MATH-100", "MATH-101"], ["PHY-101"]]])]
UtcTime = Annotated[datetime,
                    PlainSerializer(lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ"), return_type=str),
                    WithJsonSchema({"type": "string", "format": "date-time",
                                    "examples": ["2026-11-23T16:54:14Z"]})]


def _omit_default(schema):
    """An optional key that, when sent, must not be null: hide the None default."""
    schema.pop("default", None)


def optional(**kwargs):
    return Field(None, json_schema_extra=_omit_default, **kwargs)


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


# Requests -------------------------------------------------------------------------

class PageQuery(BaseModel):
    q: str = Field("", max_length=200, pattern=NO_NUL,
                   description="Text to look for (any case).")
    page: int = Field(1, ge=1, le=MAX_ID)
    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)


class StudentCreate(Body):
    """`email` is optional (null or absent: none); unique, any case, when present."""
    name: Name
    email: Email | None = None
    student_number: StudentNumber | None = None


class StudentUpdate(Body):
    """Only the keys sent change; `student_number: null` clears the number, `email: null`
    the email."""
    name: Name = optional()
    email: Email | None = None
    student_number: StudentNumber | None = None


class Meeting(Body):
    """A weekly meeting; `start` must be before `end` (else 400). Times are the school's."""
    days: Annotated[list[Weekday], Field(min_length=1, max_length=len(WEEKDAYS))]
    start: Clock
    end: Clock
    room: Room | None = None


Meetings = Annotated[list[Meeting], Field(max_length=MAX_MEETINGS)]


class CourseCreate(Body):
    """Course codes are unique within a term, and among courses with no term."""
    code: Code
    title: Title
    capacity: Capacity | None = Field(None, description="Seats; null or absent = unlimited.")
    term_id: Id | None = Field(None, description="The course's term; null or absent = none.")
    meetings: Meetings = []
    prerequisites: Prerequisites = []


class CourseUpdate(Body):
    """Only the keys sent change; `meetings` and `prerequisites` replace the lists;
    `capacity: null` makes the course unlimited, `term_id: null` takes it out of its term."""
    code: Code = optional()
    title: Title = optional()
    capacity: Capacity | None = None
    term_id: Id | None = None
    meetings: Meetings = optional()
    prerequisites: Prerequisites = optional()


class Override(Body):
    """A registrar's override: enroll despite clashes and missing prerequisites (and,
    with `over_capacity`, beyond the seats). The reason is kept in the history."""
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON, pattern=VISIBLE_TEXT)]
    over_capacity: bool = False


class CourseIds(Body):
    course_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_IDS_PER_REQUEST)]
    override: Override = optional()


class EnrollmentChange(Body):
    """Courses to add and to remove, in one all-or-nothing change."""
    add: IdList = []
    remove: IdList = []
    override: Override = optional()


class TermCreate(Body):
    """`ends_on` is inclusive and may not be before `starts_on`; codes are unique."""
    code: TermCode
    name: Title
    starts_on: DateText
    ends_on: DateText


class TermUpdate(Body):
    """Only the keys sent change."""
    code: TermCode = optional()
    name: Title = optional()
    starts_on: DateText = optional()
    ends_on: DateText = optional()


class WaitlistJoin(Body):
    student_id: Id


class WaitlistMove(Body):
    position: Annotated[int, Field(ge=1, le=MAX_ID, strict=True,
                                   description="1 = next in line; past the end = last."),
                        BeforeValidator(_whole_number)]


# Responses ------------------------------------------------------------------------

class Student(BaseModel):
    id: int
    name: str
    email: str | None
    student_number: str | None
    course_count: int

    @classmethod
    def of(cls, row, course_count=None):
        """From a Student row; `course_count` defaults to the row's own (Student.search)."""
        return cls(id=row.id, name=row.name, email=row.email,
                   student_number=row.student_number,
                   course_count=row.course_count if course_count is None else course_count)


class Enrollment(BaseModel):
    """A course the student is in; `id` is the course id."""
    id: int
    code: str
    title: str
    enrolled_at: UtcTime

    @classmethod
    def of(cls, course):
        return cls(id=course.id, code=course.code, title=course.title,
                   enrolled_at=course.enrolled_at)


class StudentDetail(Student):
    courses: list[Enrollment]


class Page(BaseModel):
    """One page of a list; `total` counts every match."""
    page: int
    per_page: int
    total: int


class StudentPage(Page):
    items: list[Student]


class MeetingOut(BaseModel):
    days: list[Weekday]
    start: str = Field(examples=["09:00"])
    end: str = Field(examples=["10:30"])
    room: str | None


class Course(BaseModel):
    id: int
    code: str
    title: str
    capacity: int | None = Field(description="null = unlimited")
    enrolled: int
    seats_left: int | None = Field(description="null when unlimited")
    term_id: int | None = Field(description="null = not tied to a term")
    meetings: list[MeetingOut]
    prerequisites: list[list[str]] = Field(
        description="Every inner list must be met; one code of an inner list meets it.")

    @classmethod
    def of(cls, row, meetings, groups):
        """From a Course row with its meetings (schedule.Meeting) and prerequisite groups."""
        return cls(id=row.id, code=row.code, title=row.title, capacity=row.capacity,
                   enrolled=row.enrolled_count, seats_left=row.seats_left,
                   term_id=row.term_id, meetings=[m.as_json() for m in meetings],
                   prerequisites=groups)


class Term(BaseModel):
    id: int
    code: str
    name: str
    starts_on: date
    ends_on: date = Field(description="Inclusive: the term's last day.")

    @classmethod
    def of(cls, row):
        return cls(id=row.id, code=row.code, name=row.name, starts_on=row.starts_on,
                   ends_on=row.ends_on)


class TermList(BaseModel):
    items: list[Term] = Field(description="By start date.")


class CoursePage(Page):
    items: list[Course]


class RosterStudent(Student):
    enrolled_at: UtcTime


class Roster(BaseModel):
    course_id: int
    students: list[RosterStudent]


class StudentCourses(BaseModel):
    student_id: int
    courses: list[Enrollment]


class EnrollResult(StudentCourses):
    enrolled: list[int] = Field(description="Course ids newly added.")
    already_enrolled: list[int] = Field(description="Asked for, but already there: unchanged.")


class ChangeResult(EnrollResult):
    removed: list[int] = Field(description="Course ids removed.")


class HistoryEvent(BaseModel):
    action: Literal[ACTIONS] = Field(description=(
        "`promote`: enrolled from the waitlist (it also ends the wait); `waitlist_add` / "
        "`waitlist_remove`: joined / left a course's waitlist."))
    course_id: int
    course_code: str
    actor: str = Field(description="Display name of who made the change (or `system`).")
    at: UtcTime
    request_id: str | None = Field(description="The X-Request-ID of the request that made it.")
    override_reason: str | None = Field(
        description="Why a registrar's override let this enrollment through (a clash, a "
                    "missing prerequisite or a full course); null when nothing was overridden.")

    @classmethod
    def of(cls, event):
        return cls(action=event.action, course_id=event.course_id, course_code=event.code,
                   actor=event.actor_name, at=event.at, request_id=event.request_id,
                   override_reason=event.override_reason)


class History(BaseModel):
    student_id: int
    events: list[HistoryEvent] = Field(description="Newest first.")


class WaitlistEntry(BaseModel):
    student_id: int
    position: int = Field(description="1 = next in line.")
    added_at: UtcTime
    blocked_by: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Present only when a promotion would skip this student: the conflicts "
                    "(a schedule clash, a missing prerequisite) enrolling them would cause.")

    @model_serializer(mode="wrap")
    def _blocked_only_when_blocked(self, handler):
        data = handler(self)
        if not self.blocked_by:
            data.pop("blocked_by", None)
        return data

    @classmethod
    def of(cls, entry):
        return cls(student_id=entry.student_id, position=entry.position,
                   added_at=entry.added_at,
                   blocked_by=[conflict.as_json() for conflict in entry.blocked_by])


class Waitlist(BaseModel):
    course_id: int
    entries: list[WaitlistEntry] = Field(description="By position, next in line first.")


class WaitlistPlace(BaseModel):
    course_id: int
    student_id: int
    position: int


class StudentWait(BaseModel):
    course_id: int
    code: str
    position: int
    added_at: UtcTime


class StudentWaitlists(BaseModel):
    student_id: int
    entries: list[StudentWait] = Field(description="By course code.")


class ScheduleClash(BaseModel):
    """`course_id` would meet at the same time as `with_course_id`: `start`-`end` on `day`
    is the overlap."""
    type: Literal["schedule_clash"]
    course_id: int
    with_course_id: int
    day: Weekday
    start: str = Field(examples=["09:00"])
    end: str = Field(examples=["10:00"])


class MissingPrerequisite(BaseModel):
    """The student has no earlier enrollment in any course of `requires`."""
    type: Literal["missing_prerequisite"]
    course_id: int
    requires: list[str]


Conflict = Annotated[ScheduleClash | MissingPrerequisite, Field(discriminator="type")]


class Error(BaseModel):
    """Every error: a human message, plus details that depend on the error."""
    error: str
    fields: dict[str, str] | None = optional(
        description="Invalid input: field name (dotted path) to what is wrong with it.")
    unknown_course_ids: list[int] | None = optional(
        description="Course ids that do not exist (nothing was written).")
    full_course_ids: list[int] | None = optional(
        description="Courses without a free seat (nothing was written).")
    conflicts: list[Conflict] | None = optional(
        description="Schedule clashes and missing prerequisites of an enrollment (nothing "
                    "was written); send `override` to enroll anyway.")
    conflicting_course_ids: list[int] | None = optional(
        description="Course ids both added and removed.")
    already_enrolled: bool | None = optional(
        description="Waitlist: the student is enrolled in the course already.")
    seats_left: int | None = optional(
        description="Waitlist: the course has free seats (null = unlimited): enroll instead.")
    request_id: str | None = optional(description="Quote this when reporting a 500.")
