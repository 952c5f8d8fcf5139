"""The student page's checklist rows as HTML, built in Python for speed (see course_row)."""
from markupsafe import Markup, escape


def course_row(course, enrolled, courses_url, editable, error=None):
    """One checklist row (<li>): the same markup on the page and in a toggle's answer.

    `course` is a Course or a ChecklistRow; ticking the box posts to courses_url/<id>
    (students.toggle). An enrolled row also carries a hidden `was_enrolled`: the no-JS form
    then sends the state each box was drawn with, so saving changes only the boxes the
    user changed (never what another tab did since).
    Built here rather than in a Jinja macro because the page shows up to SHOWN_COURSES
    (rules/checklist.py) rows and a macro costs about three times as much per row."""
    return Markup(_row_html(course, enrolled, courses_url, editable, error))


def course_rows(rows, courses_url, editable):
    """Every row of the checklist, as one piece of markup."""
    return Markup("\n".join([_row_html(row, row.enrolled, courses_url, editable)
                             for row in rows]))


def _row_html(course, enrolled, url, editable, error=None):
    cid, seats, full = course.id, course.seats_text, course.is_full
    code, title = escape(course.code), escape(course.title)
    described_by = " ".join(([f"seats-{cid}"] if seats else [])
                            + ([f"error-{cid}"] if error else []))
    state = ("checked " if enrolled else "") \
        + ("disabled " if not editable or (full and not enrolled) else "") \
        + (f'aria-describedby="{described_by}" ' if described_by else "")
    error_html = (f'\n  <span class="row-error" id="error-{cid}">{escape(error)}</span>'
                  if error else "")
    was = f'\n  <input type="hidden" name="was_enrolled" value="{cid}">' if enrolled else ""
    return f"""<li id="course-row-{cid}" class="course-row{' has-error' if error else ''}" \
data-filter-text="{code} {title}">
  <input type="checkbox" id="course-{cid}" name="course_ids" value="{cid}" {state}\
hx-post="{url}/{cid}" hx-trigger="change" hx-target="#course-row-{cid}" hx-swap="outerHTML">{was}
  <label for="course-{cid}">{code} — {title}</label>
  <span class="seats{' seats-full' if full else ''}" id="seats-{cid}">{seats}</span>{error_html}
</li>"""
