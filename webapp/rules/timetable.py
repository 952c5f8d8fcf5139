"""A student's week: their courses' meetings laid out by day and time, clashes marked.

The student page shows one term at a time (rules/terms.py picks which); its timetable
holds the student's courses in that term plus their courses with no term (those meet in
every term). Read in one query, laid out here in Python; pages/timetable.py turns the
layout into a server-rendered CSS grid.
"""
import math
from dataclasses import dataclass, field

from ..db import any_of, fetch_all
from .schedule import (
    FULL_DAY_NAMES,
    WEEKDAYS,
    Meeting,
    clock,
    days_of,
    meeting_text,
    span_text,
)

WORK_DAYS = WEEKDAYS[:5]
MINUTES_PER_ROW = 5  # grid resolution: meetings start and end on five-minute lines
MAX_LANES = 4        # side by side in one day column, at most


@dataclass
class Block:
    """One meeting of one course on one day, placed in the grid."""
    course_id: int
    code: str
    title: str
    day: str
    start: int
    end: int
    room: str | None
    lane: int = 0
    lanes: int = 1
    clashes_with: list = field(default_factory=list)  # codes of courses it overlaps

    @property
    def day_name(self):
        return FULL_DAY_NAMES[self.day]

    @property
    def time_text(self):
        return span_text(self.start, self.end)


@dataclass(frozen=True)
class CourseLine:
    """One of the week's courses in a line (the student page's summary)."""
    course_id: int
    code: str
    title: str
    meets: str  # its meetings in words, "" without any


@dataclass
class Timetable:
    days: tuple = WORK_DAYS
    first_hour: int = 8
    last_hour: int = 17
    blocks: list = field(default_factory=list)        # by day, then start
    unscheduled: list = field(default_factory=list)   # (code, title) without meetings
    courses: list = field(default_factory=list)       # every CourseLine, by code

    @property
    def hours(self):
        return range(self.first_hour, self.last_hour)

    @property
    def clash_count(self):
        return sum(1 for block in self.blocks if block.clashes_with)

    def row(self, minute):
        """The grid line a time starts on (line 1 is the row of day names)."""
        return (minute - self.first_hour * 60) // MINUTES_PER_ROW + 2

    def rows_spanned(self, block):
        return max(1, math.ceil((block.end - self.first_hour * 60) / MINUTES_PER_ROW)
                   + 2 - self.row(block.start))

    def column(self, day):
        return self.days.index(day) + 2

    @staticmethod
    def hour_text(hour):
        return clock(hour * 60)


def lay_out(courses):
    """A Timetable of `courses`: (course_id, code, title, [Meeting]) each."""
    blocks, unscheduled = [], []
    lines = [CourseLine(course_id, code, title, "; ".join(m.text for m in meetings))
             for course_id, code, title, meetings in courses]
    for course_id, code, title, meetings in courses:
        if not meetings:
            unscheduled.append((code, title))
        blocks += [Block(course_id, code, title, day, m.start, m.end, m.room)
                   for m in meetings for day in m.days]
    if not blocks:
        return Timetable(unscheduled=unscheduled, courses=lines)
    used = {block.day for block in blocks}
    days = tuple(day for day in WEEKDAYS if day in WORK_DAYS or day in used)
    blocks.sort(key=lambda b: (WEEKDAYS.index(b.day), b.start, b.end, b.code))
    for day in used:
        _place_side_by_side([b for b in blocks if b.day == day])
    return Timetable(days, min(b.start for b in blocks) // 60,
                     math.ceil(max(b.end for b in blocks) / 60), blocks, unscheduled, lines)


def _place_side_by_side(day_blocks):
    """Give overlapping blocks of one day (sorted by start) lanes, and mark each clash
    (`a.start < b.end and b.start < a.end`, as at enrollment)."""
    cluster, cluster_end = [], -1
    for block in day_blocks + [None]:
        if block is None or block.start >= cluster_end:
            lanes = max((b.lane for b in cluster), default=0) + 1
            for member in cluster:
                member.lanes = min(lanes, MAX_LANES)
                member.lane = min(member.lane, MAX_LANES - 1)
            if block is None:
                return
            cluster, cluster_end = [], -1
        lane_ends = {}
        for other in cluster:
            lane_ends[other.lane] = max(lane_ends.get(other.lane, 0), other.end)
            if other.start < block.end and block.start < other.end:
                other.clashes_with.append(block.code)
                block.clashes_with.append(other.code)
        block.lane = next(lane for lane in range(len(cluster) + 1)
                          if lane_ends.get(lane, 0) <= block.start)
        cluster.append(block)
        cluster_end = max(cluster_end, block.end)


def student_week(student_id, term_id, no_term=False, also=()):
    """(Timetable of the student's courses in the term `term_id` and those with no term —
    only those with no term when `no_term` —, {course_id: meetings in words} for those
    courses and the courses `also` lists). One query."""
    also_sql, also = any_of("id", also) if also else ("", [])
    in_view = "t.term_id IS NULL" if no_term else "(t.term_id = ? OR t.term_id IS NULL)"
    also_arm = f"UNION SELECT id FROM courses WHERE {also_sql}" if also else ""
    rows = fetch_all(f"""
        SELECT c.id, c.code, c.title, sc.student_id, m.weekdays, m.start_minute,
               m.end_minute, m.room
        FROM (SELECT e.course_id AS id FROM student_courses e
              JOIN courses t ON t.id = e.course_id
              WHERE e.student_id = ? AND {in_view}
              {also_arm}) AS shown
        JOIN courses c ON c.id = shown.id
        LEFT JOIN course_meetings m ON m.course_id = c.id
        LEFT JOIN student_courses sc ON sc.course_id = c.id AND sc.student_id = ?
        ORDER BY c.code, m.start_minute, m.id""",
        student_id, *([] if no_term else [term_id]), *also, student_id)
    courses, words = {}, {}  # Meetings only for the week's courses; words for all
    for course_id, code, title, enrolled, bits, start, end, room in rows:
        said = words.setdefault(course_id, [])
        meetings = (courses.setdefault(course_id, (course_id, code, title, []))[3]
                    if enrolled is not None else None)
        if bits is not None:
            said.append(meeting_text(bits, start, end, room))
            if meetings is not None:
                meetings.append(Meeting(days_of(bits), start, end, room))
    return (lay_out(list(courses.values())),
            {course_id: "; ".join(said) for course_id, said in words.items()})
