"""The student page's checklist rows as HTML, built in Python for speed (see course_row)."""
from dataclasses import dataclass

from markupsafe import Markup, escape

OVERRIDE_FORM = "override-form"  # the page's one form that carries override requests


@dataclass(frozen=True)
class OverrideOffer:
    """A refused row offers a registrar "Enroll anyway" with a reason; `over_capacity`
    when a full course was part of the refusal, `problem` when the last reason was bad."""
    over_capacity: bool = False
    problem: str | None = None


def course_row(course, enrolled, courses_url, editable, error=None, override=None):
    """One checklist row (<li>): the same markup on the page and in a toggle's answer.

    `course` is a Course or a ChecklistRow (with `.meets`, its meetings in words, when
    known); ticking the box posts to courses_url/<id> (students.toggle), the hidden
    `listed` input tells the no-JS form which rows it showed. `override` (an
    OverrideOffer) adds the "Enroll anyway" control to a refused row.
    Built here rather than in a Jinja macro because the page shows up to SHOWN_COURSES
    (rules/checklist.py) rows and a macro costs about three times as much per row."""
    return Markup(_row_html(course, enrolled, courses_url, editable, error, override))


def course_rows(rows, courses_url, editable):
    """Every row of the checklist, as one piece of markup."""
    return Markup("\n".join([_row_html(row, row.enrolled, courses_url, editable)
                             for row in rows]))


def _row_html(course, enrolled, url, editable, error=None, override=None):
    cid, seats, full = course.id, course.seats_text, course.is_full
    code, title = escape(course.code), escape(course.title)
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
    return f"""<li id="course-row-{cid}" class="course-row{' has-error' if error else ''}" \
data-filter-text="{code} {title}">
  <input type="checkbox" id="course-{cid}" name="course_ids" value="{cid}" {state}\
hx-post="{url}/{cid}" hx-trigger="change" hx-target="#course-row-{cid}" hx-swap="outerHTML">
  <input type="hidden" name="listed" value="{cid}">
  <label for="course-{cid}">{code} — {title}</label>{meets_html}
  <span class="seats{' seats-full' if full else ''}" id="seats-{cid}">{seats}</span>{error_html}
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
