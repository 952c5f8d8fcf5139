"""Meeting times: what a course's weekly meetings are, in the database and in words.

Stored (course_meetings) as a weekday bit set (Monday 1, Tuesday 2, … Sunday 64) and
minutes after midnight in the school's local time, so "shares a day and overlaps" is
integer arithmetic in SQL on both databases (rules/conflicts.py). Shown and exchanged as
days `mon`…`sun` and clock times `HH:MM`.
"""
import re
from dataclasses import dataclass
from functools import lru_cache

from ..db import fetch_all, insert_rows, placeholders, run_sql

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {day: day.capitalize() for day in WEEKDAYS}            # "Mon"
FULL_DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday")))
CLOCK_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_MEETINGS = 20


def day_bits(days):
    """The bit set of an iterable of `mon`…`sun`."""
    return sum(1 << WEEKDAYS.index(day) for day in set(days))


def days_of(bits):
    """`mon`…`sun` in week order for a bit set."""
    return tuple(day for index, day in enumerate(WEEKDAYS) if bits & (1 << index))


def parse_clock(text):
    """Minutes after midnight for `HH:MM` (24 h; `9:05` too), or None if it is not one."""
    match = CLOCK_RE.match(text.strip()) if isinstance(text, str) else None
    return int(match[1]) * 60 + int(match[2]) if match else None


def clock(minutes):
    """`HH:MM` for minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def span_text(start, end):
    return f"{clock(start)}–{clock(end)}"


@dataclass(frozen=True)
class Meeting:
    """One weekly meeting pattern of a course: days, start and end (minutes), room."""
    days: tuple
    start: int
    end: int
    room: str | None = None

    @property
    def bits(self):
        return day_bits(self.days)

    @property
    def start_text(self):
        return clock(self.start)

    @property
    def end_text(self):
        return clock(self.end)

    @property
    def text(self):
        """'Mon, Wed 09:00–10:30, room B12'."""
        days = ", ".join(DAY_NAMES[day] for day in self.days)
        room = f", room {self.room}" if self.room else ""
        return f"{days} {span_text(self.start, self.end)}{room}"

    def as_json(self):
        return {"days": list(self.days), "start": self.start_text, "end": self.end_text,
                "room": self.room}

    def clashes_with(self, other):
        """(shared days, overlap start, overlap end), or None: a clash is a shared day and
        `a.start < b.end and b.start < a.end` (back-to-back meetings do not clash)."""
        shared = tuple(day for day in self.days if day in other.days)
        if shared and self.start < other.end and other.start < self.end:
            return shared, max(self.start, other.start), min(self.end, other.end)
        return None


@lru_cache(maxsize=8192)
def meeting_text(bits, start, end, room):
    """The words of a stored meeting (weekday bits, minutes, room): Meeting.text,
    remembered, since the student page words the same few hundred meetings on every
    request (a pure function of its arguments: nothing to invalidate)."""
    return Meeting(days_of(bits), start, end, room).text


def parse_meeting(text):
    """A Meeting from the short form "mon wed 09:00-10:30 [ROOM]" (for demo data and
    tests; people use the form, programs the API)."""
    words = text.split()
    times = next(index for index, word in enumerate(words) if "-" in word and ":" in word)
    start, end = (parse_clock(part) for part in words[times].split("-"))
    room = " ".join(words[times + 1:]) or None
    return Meeting(tuple(day for day in WEEKDAYS if day in words[:times]), start, end, room)


def clean_meeting(item, where, errors, clean_room):
    """A Meeting from {"days", "start", "end", "room"} (days a list of `mon`…`sun`, times
    `HH:MM`), or None with a message per bad part in `errors` under `where.part`.
    `clean_room(value, field, errors)` checks the room's text like any other text field."""
    if not isinstance(item, dict):
        errors[where] = "Give a meeting's days, start and end."
        return None
    days = item.get("days") or []
    days = [day.strip().lower() if isinstance(day, str) else day for day in days]
    if not days:
        errors[f"{where}.days"] = "Choose at least one day."
    elif any(day not in WEEKDAYS for day in days):
        errors[f"{where}.days"] = "Days are mon, tue, wed, thu, fri, sat or sun."
    start, end = parse_clock(item.get("start")), parse_clock(item.get("end"))
    if start is None:
        errors[f"{where}.start"] = "Enter a start time like 09:00."
    if end is None:
        errors[f"{where}.end"] = "Enter an end time like 10:30."
    elif start is not None and end <= start:
        errors[f"{where}.end"] = f"Must be after the start ({clock(start)})."
    room = clean_room(item.get("room"), f"{where}.room", errors) or None
    if any(key.startswith(f"{where}.") for key in errors):
        return None
    return Meeting(tuple(day for day in WEEKDAYS if day in days), start, end, room)


def meetings_of(course_ids):
    """{course_id: [Meeting, …]} (by first day, then start) for the given courses. One query."""
    course_ids = list(course_ids)
    meetings = {cid: [] for cid in course_ids}
    if not course_ids:
        return meetings
    rows = fetch_all(f"""SELECT course_id, weekdays, start_minute, end_minute, room
                         FROM course_meetings WHERE course_id IN ({placeholders(len(course_ids))})
                         ORDER BY course_id, start_minute, id""", *course_ids)
    for course_id, bits, start, end, room in rows:
        meetings[course_id].append(Meeting(days_of(bits), start, end, room))
    for listed in meetings.values():
        listed.sort(key=lambda m: (WEEKDAYS.index(m.days[0]), m.start))
    return meetings


MEETING_COLUMNS = ("course_id", "weekdays", "start_minute", "end_minute", "room")


def replace_meetings(course_id, meetings):
    """Make `meetings` the course's whole list (call inside the course's transaction)."""
    run_sql("DELETE FROM course_meetings WHERE course_id = ?", course_id)
    insert_rows("course_meetings", MEETING_COLUMNS,
                [(course_id, m.bits, m.start, m.end, m.room) for m in meetings])
