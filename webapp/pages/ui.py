"""Small helpers shared by the page blueprints (students, courses)."""
import math
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request

from ..models import MAX_ID
from ..rules import waitlist

PER_PAGE = 50
# Ids one form may send in one field: well above what a page lists (the checklist shows
# 200 courses plus the student's own), well below what a statement can bind (SQLite
# 32,766 parameters, Postgres 65,535; a change binds two such lists).
MAX_FORM_IDS = 5_000


def get_or_404(model, record_id):
    """The row with this id, or a 404 page (rendered in the layout by errors.py)."""
    record = model.get_or_none(model.id == record_id)
    if record is None:
        not_found(model, record_id)
    return record


def not_found(model, record_id):
    """Answer with the 404 page for a `model` row that does not exist."""
    abort(404, description=f"There is no {model.__name__.lower()} with id {record_id}.")


def int_list(name, values=None):
    """Form values (or `values`, e.g. request.args) under `name` as ids: more than
    MAX_FORM_IDS of them, or one that is not a whole number from 1 to MAX_ID, is a 400 (an
    id past MAX_ID names no row, and SQLite cannot even bind one past 2**63)."""
    values = (request.form if values is None else values).getlist(name)
    if len(values) > MAX_FORM_IDS:
        abort(400, description=f"Too many {name}: at most {MAX_FORM_IDS:,} at once.")
    try:
        ids = [int(value) for value in values]
        in_range = all(1 <= value <= MAX_ID for value in ids)
    except ValueError:
        in_range = False
    if not in_range:
        abort(400, description=f"{name} must be whole numbers from 1 to {MAX_ID}.")
    return ids


@dataclass
class Page:
    """One page of a query's rows plus what the pager needs."""
    items: list
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages


def paginate(query, per_page=PER_PAGE):
    """Page `?page=N` of an unexecuted query (two queries: the count and the rows)."""
    total = query.count()
    page = Page([], request.args.get("page", 1, type=int) or 1, total, per_page)
    page.number = min(max(page.number, 1), page.pages)  # out of range: nearest real page
    page.items = list(query.paginate(page.number, per_page))
    return page


def form_page(form, write, done, template="record_form.html", **page):
    """A create/edit page: on a valid POST `write(values)` saves, then flash and 303 to
    where `done(record)` -> (message, url) says; otherwise (re)show the form with its
    messages. `page` gives the template (record_form.html) its heading, submit and
    cancel_url."""
    if request.method == "POST" and (record := form.save(write)):
        message, url = done(record)
        flash(message, "success")
        return redirect(url, 303)
    return render_template(template, form=form, **page)


def promotion_messages():
    """'Ada Lovelace got the seat in MATH-101 from the waitlist' for each promotion this
    request made (the user's own action freed the seat, so they hear who got it)."""
    return [f"{p.student_name} got the seat in {p.code} from the waitlist"
            for p in waitlist.noted_promotions()]
