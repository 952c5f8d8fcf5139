"""Terms pages: list, create, edit, delete; copying a term's courses into another."""
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..models import Term
from ..rules import terms
from ..rules.records import InvalidRecord, RecordNotFound
from ..rules.terms import TermInUse
from ..rules.wording import count_of
from .forms import TermForm
from .ui import form_page, get_or_404

bp = Blueprint("terms", __name__, url_prefix="/terms")


@bp.app_template_global()
def term_dates(term):
    """'1 Sep 2026 – 18 Dec 2026'."""
    return " – ".join(f"{day.day} {day:%b %Y}" for day in (term.starts_on, term.ends_on))


@bp.get("/")
def index():
    rows = terms.terms_with_course_counts()
    return render_template("terms/index.html", terms=rows)


@bp.route("/new", methods=["GET", "POST"])
def new():
    return form_page(TermForm(), terms.create_term,
                     lambda term: (f"Added {term.code}.", url_for(".index")),
                     heading="New term", submit="Add term", cancel_url=url_for(".index"))


@bp.route("/<int:term_id>/edit", methods=["GET", "POST"])
def edit(term_id):
    term = get_or_404(Term, term_id)
    return form_page(TermForm(obj=term), partial(terms.update_term, term_id),
                     lambda saved: ("Saved.", url_for(".index")),
                     heading=f"Edit {term.code}", submit="Save", cancel_url=url_for(".index"))


@bp.post("/copy")
def copy_courses():
    """Rollover: copy every course of one term (with meetings and prerequisites, without
    students) into another; codes the target already has are left alone and named."""
    try:
        rollover = terms.copy_courses(request.form.get("source", type=int),
                                      request.form.get("target", type=int))
    except RecordNotFound:
        flash("Choose two terms that exist.", "error")
    except InvalidRecord as error:
        flash(" ".join(error.errors.values()), "error")
    else:
        flash(rollover_summary(rollover), "success")
    return redirect(url_for(".index"), 303)


def rollover_summary(rollover):
    """'Copied 3 courses from FALL to SPRING: A, B, C. Left alone (already in SPRING): D.'"""
    source, target = rollover.source.code, rollover.target.code
    copied = len(rollover.copied)
    text = f"Copied {count_of(copied, 'course')} from {source} to {target}"
    text += f": {', '.join(rollover.copied)}." if copied else "."
    if rollover.skipped:
        text += f" Left alone (already in {target}): {', '.join(rollover.skipped)}."
    return text


@bp.post("/<int:term_id>/delete")
def delete(term_id):
    try:
        terms.delete_term(term_id)
    except RecordNotFound:
        flash("That term no longer exists.", "error")
    except TermInUse as error:
        flash(f"Cannot delete {error}.", "error")
    else:
        flash("Term deleted.", "success")
    return redirect(url_for(".index"), 303)
