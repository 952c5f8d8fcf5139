"""Small helpers shared by the page blueprints (students, courses)."""
import math
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request

PER_PAGE = 50


def get_or_404(model, record_id):
    """The row with this id, or a 404 page (rendered in the layout by errors.py)."""
    record = model.get_or_none(model.id == record_id)
    if record is None:
        not_found(model, record_id)
    return record


def not_found(model, record_id):
    """Answer with the 404 page for a `model` row that does not exist."""
    abort(404, description=f"There is no {model.__name__.lower()} with id {record_id}.")


def int_list(name):
    """Form values under `name` as ints; anything that is not a whole number is a 400."""
    try:
        return [int(value) for value in request.form.getlist(name)]
    except ValueError:
        abort(400, description=f"{name} must be whole numbers.")


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


def paginate(query):
    """Page `?page=N` of an unexecuted query (two queries: the count and the rows)."""
    total = query.count()
    page = Page([], request.args.get("page", 1, type=int) or 1, total)
    page.number = min(max(page.number, 1), page.pages)  # out of range: nearest real page
    page.items = list(query.paginate(page.number, PER_PAGE))
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
