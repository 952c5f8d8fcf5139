"""/api/terms: the date ranges courses belong to."""
from ..rules import terms
from . import schemas
from .core import BODY_ERRORS, CHANGE_ERRORS, TERM, TERMS, created, operation


@operation("GET", "/terms", TERMS, 200, schemas.TermList)
def list_terms():
    """Every term, by start date."""
    return schemas.TermList(items=[schemas.Term.of(term) for term in terms.list_terms()])


@operation("POST", "/terms", TERMS, 201, schemas.Term, 409, *BODY_ERRORS)
def create_term(json: schemas.TermCreate):
    """Create a term (the code is stored upper-case). A date that does not exist or an
    `ends_on` before `starts_on` is a 400; a taken code a 409."""
    row = terms.create_term(json.model_dump())
    return created(schemas.Term.of(row), ".get_term", term_id=row.id)


@operation("GET", TERM, TERMS, 200, schemas.Term, 404)
def get_term(term_id):
    """One term."""
    return schemas.Term.of(terms.get_term(term_id))


@operation("PATCH", TERM, TERMS, 200, schemas.Term, *CHANGE_ERRORS)
def update_term(term_id, json: schemas.TermUpdate):
    """Change any of code, name, starts_on, ends_on; keys not sent stay as they are."""
    return schemas.Term.of(terms.update_term(term_id, json.model_dump(exclude_unset=True)))


@operation("DELETE", TERM, TERMS, 204, None, 404, 409)
def delete_term(term_id):
    """Delete a term; 409 while courses belong to it."""
    terms.delete_term(term_id)
    return "", 204
