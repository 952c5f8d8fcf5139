"""The student's week as the cells of a CSS grid (templates/students/_timetable.html holds
the grid around them). Built in Python for the same reason as the checklist rows: the
student page and every toggle draw it, and as a Jinja loop its twenty-odd meetings cost
more than the rest of a toggle's answer together. Placement classes come from
static/css/timetable.css (pages/timetable_css.py)."""
from functools import lru_cache

from markupsafe import Markup, escape

from ..rules.timetable import Block, Timetable


def timetable_cells(week):
    """Day names, hour labels and one block per meeting and day of `week` (a
    rules/timetable.Timetable), as markup for the inside of its grid. Remembered by the
    week's values (the same student's week is drawn by the page and again by every toggle
    that leaves it as it was, and by other students with the same courses)."""
    return Markup(_cells(week.days, week.first_hour, week.last_hour, tuple(
        (b.course_id, b.code, b.title, b.day, b.start, b.end, b.room, b.lane, b.lanes,
         tuple(b.clashes_with)) for b in week.blocks)))


@lru_cache(maxsize=1024)
def _cells(days, first_hour, last_hour, blocks):
    """timetable_cells of the week with these values (a pure function of them)."""
    week = Timetable(days, first_hour, last_hour, [
        Block(*fields[:-1], clashes_with=list(fields[-1])) for fields in blocks])
    day_names = "".join(f'<div class="tt-day tt-r1 tt-c{column}" aria-hidden="true">'
                        f'{day.capitalize()}</div>' for column, day in enumerate(days, 2))
    hour_labels = "".join(f'<div class="tt-hour tt-r{week.row(hour * 60)} tt-h12" '
                          f'aria-hidden="true">{week.hour_text(hour)}</div>'
                          for hour in week.hours)
    meetings = "".join([_block_html(week, block) for block in week.blocks])
    return f"\n        {day_names}\n        {hour_labels}\n        {meetings}\n      "


def _block_html(week, block):
    """One meeting on one day: placed by day, start and length, side by side with what it
    overlaps (lanes), marked when it clashes."""
    placed = (f"tt-c{week.column(block.day)} tt-r{week.row(block.start)} "
              f"tt-h{week.rows_spanned(block)}"
              + (f" tt-lane-{block.lane}-of-{block.lanes}" if block.lanes > 1 else "")
              + (" tt-clash" if block.clashes_with else ""))
    clash = (f'<span class="tt-line tt-clash-text">Clash with '
             f'{", ".join([escape(code) for code in block.clashes_with])}</span>'
             if block.clashes_with else "")
    room = f'<span class="tt-line tt-room">Room {escape(block.room)}</span>' if block.room else ""
    return f"""
          <div class="tt-block {placed}">
            <span class="visually-hidden">{block.day_name}</span>
            <span class="tt-line tt-time">{block.time_text}</span>
            <span class="tt-line"><strong>{escape(block.code)}</strong> {escape(block.title)}</span>
            {clash}
            {room}
          </div>
        """
