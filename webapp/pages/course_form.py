"""The course form page: record fields, meeting rows that can be added and removed with
or without JS, and prerequisites as text shown back in words."""
from flask import render_template, request

from ..rules import prerequisites
from .ui import form_page

TEMPLATE = "courses/form.html"


def prerequisites_in_words(text):
    """What the prerequisites box says, in words ('' when it is empty)."""
    return prerequisites.in_words(prerequisites.normalise(prerequisites.parse(text or "")))


def course_form_page(form, write, done, **page):
    """form_page for a CourseForm; a press on "Add a meeting" or "Remove meeting N"
    (`rows` = add / remove-N) shows the form again with the rows changed, saving nothing.
    htmx posts the same and takes only the rows from the answer."""
    action = request.form.get("rows", "") if request.method == "POST" else ""
    if action and form.change_rows(action):
        return render_template(TEMPLATE, form=form, **page)
    return form_page(form, write, done, template=TEMPLATE, **page)
