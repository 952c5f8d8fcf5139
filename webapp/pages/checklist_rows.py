"""The student page's checklist rows as HTML, built in Python for speed (see course_row)."""
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from ..rules.checklist import ChecklistRow

OVERRIDE_FORM = "override-form"  # the page's one form that carries override requests
FULL_REASON = "Course is full"  # a refused row's reason; the row's status then omits "Full"


@dataclass(frozen=True)
class OverrideOffer:
    """A refused row offers a registrar "Enroll anyway" with a reason; `over_capacity`
    when a full course was part of the refusal, `problem` when the last reason was bad."""
    over_capacity: bool = False
    problem: str | None = None


def course_row(course, enrolled, courses_url, editable, error=None, override=None):
    """One checklist row (<li>): the same markup on the page and in a toggle's answer.

    `course` is a Course or a ChecklistRow (a ChecklistRow whenever `enrolled` is false: its
    waitlist part needs `waiting` and `waitlist_position`; `.meets`, its meetings in words,
    when known); ticking the box posts to courses_url/<id> (students.toggle), Join/Leave
    post to courses_url/<id>/waitlist[/leave]. An enrolled row also carries a hidden
    `was_enrolled`: the no-JS form then sends the state each box was drawn with, so saving
    changes only the boxes the user changed (never what another tab did since).
    `override` (an OverrideOffer) adds the "Enroll anyway" control to a refused row.
    Built here rather than in a Jinja macro because the page shows up to SHOWN_COURSES
    (rules/checklist.py) rows and a macro costs about three times as much per row."""
    return Markup(_row_html(course, enrolled, courses_url, editable, error, override))


def course_rows(rows, courses_url, editable):
    """Every row of the checklist (ChecklistRows), as one piece of markup."""
    return Markup("\n".join([courses_url.join(_row_pieces(row.fields(), editable))
                             for row in rows]))


# Where a row names the URL of its student's courses. It cannot occur anywhere else in a
# row: every text from the data is escaped, so holds no raw `<` or `"`.
_URL_SLOT = '<"courses-url">'


@lru_cache(maxsize=4096)
def _row_pieces(fields, editable):
    """A checklist row's markup cut where the student's courses URL goes: the same for
    every student with that row (a course they are not in, or in with the same seats
    left), so a page joins remembered pieces instead of writing 200 rows afresh. A pure
    function of its arguments (ChecklistRow.fields()): nothing to invalidate."""
    row = ChecklistRow(*fields)
    return tuple(_row_html(row, row.enrolled, _URL_SLOT, editable).split(_URL_SLOT))


def ordinal(number):
    """1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, … 21st."""
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def _waitlist_part(course, enrolled, url, editable, code, said_full=False):
    """(status text, Join/Leave button) of a row: "Full · 3 waiting" + Join waitlist, or
    "Waitlisted — 2nd of 3" + Leave; the seats text and no button otherwise ("3 waiting"
    when the row's error `said_full` already). The buttons submit the checklist form to
    their own URL without JS (formaction); htmx posts them and swaps the row."""
    if enrolled or (course.waitlist_position is None and not course.is_full):
        return course.seats_text, ""
    if course.waitlist_position is not None:
        text = f"Waitlisted — {ordinal(course.waitlist_position)} of {course.waiting}"
        action, label, hidden = f"{url}/{course.id}/waitlist/leave", "Leave", \
            f" the waitlist for {code}"
    else:
        text = " · ".join(([] if said_full else ["Full"])
                          + ([f"{course.waiting} waiting"] if course.waiting else []))
        action, label, hidden = f"{url}/{course.id}/waitlist", "Join waitlist", f" for {code}"
    if not editable:
        return text, ""
    return text, f"""
  <button type="submit" class="link-button" formaction="{action}" hx-post="{action}" \
hx-target="#course-row-{course.id}" hx-swap="outerHTML">{label}\
<span class="visually-hidden">{hidden}</span></button>"""


def _row_html(course, enrolled, url, editable, error=None, override=None):
    cid, full = course.id, course.is_full
    code, title = escape(course.code), escape(course.title)
    said_full = bool(error) and FULL_REASON in error
    seats, button = _waitlist_part(course, enrolled, url, editable, code, said_full)
    meets = escape(getattr(course, "meets", "") or "")
    described_by = " ".join(([f"seats-{cid}"] if seats else [])
                            + ([f"meets-{cid}"] if meets else [])
                            + ([f"error-{cid}"] if error else []))
    state = ("checked " if enrolled else "") \
        + ("disabled " if not editable or (full and not enrolled) else "") \
        + (f'aria-describedby="{described_by}" ' if described_by else "")
    meets_html = f'\n  <span class="meets" id="meets-{cid}">{meets}</span>' if meets else ""
    error_html = (f'\n  <span class="row-error" id="error-{cid}">{escape(error)}</span>'
                  if error else "")
    if override is not None and editable:
        error_html += _override_html(cid, url, override)
    was = f'\n  <input type="hidden" name="was_enrolled" value="{cid}">' if enrolled else ""
    return f"""<li id="course-row-{cid}" class="course-row{' has-error' if error else ''}" \
data-filter-text="{code} {title}">
  <input type="checkbox" id="course-{cid}" name="course_ids" value="{cid}" {state}\
hx-post="{url}/{cid}" hx-trigger="change" hx-target="#course-row-{cid}" hx-swap="outerHTML">{was}
  <label for="course-{cid}">{code} — {title}</label>{meets_html}
  <span class="seats{' seats-full' if full else ''}" id="seats-{cid}">{seats}</span>{button}\
{error_html}
</li>"""


def _override_html(cid, url, offer):
    """Reason + "Enroll anyway": both belong to the page's OVERRIDE_FORM (outside the
    checklist form, which cannot hold a form), so only they are posted, to the row's
    override URL (htmx, or the button's formaction if htmx is not there)."""
    action = f"{url}/{cid}/override"
    problem = (f'\n    <span class="field-error" id="reason-error-{cid}">{escape(offer.problem)}</span>'
               if offer.problem else "")
    invalid = f' aria-invalid="true" aria-describedby="reason-error-{cid}"' if offer.problem else ""
    capacity = (f'\n    <input type="hidden" name="over_capacity-{cid}" value="1" '
                f'form="{OVERRIDE_FORM}">' if offer.over_capacity else "")
    return f"""
  <span class="override">
    <label for="reason-{cid}">Reason to enroll anyway</label>
    <input type="text" id="reason-{cid}" name="reason-{cid}" maxlength="500" required \
form="{OVERRIDE_FORM}"{invalid}>{capacity}{problem}
    <button type="submit" form="{OVERRIDE_FORM}" formaction="{action}" hx-post="{action}" \
hx-target="#course-row-{cid}" hx-swap="outerHTML">Enroll anyway</button>
  </span>"""
