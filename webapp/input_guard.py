"""Input that can never be right, refused before any view, hook or query sees it.

- A NUL character in a query or form value (or name): PostgreSQL can neither store nor
  compare text holding one (the query raises), so `?q=%00` was a 500 there. Now a 400.
- An id in the URL past the id columns (models.MAX_ID) names nothing: a 404 before any
  query (SQLite cannot even bind an integer past 2**63).

A OneRoster zip may be far larger than any form or JSON body (MAX_CONTENT_LENGTH): its
upload routes get IMPORT_MAX_BYTES, set before anything reads the body.

Registered before CSRF and the sign-in gate, so such a request costs no session lookup.
Answers speak each surface's language: JSON under /api, the layout's error page elsewhere.
"""
from flask import abort, current_app, request

from .errors import json_error, wants_json
from .models import MAX_ID

NO_NUL = "Must not contain NUL characters."
UPLOAD_ENDPOINTS = {"imports.upload", "api.create_import"}


def allow_large_uploads():
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


# The only bodies request.form parses; for any other (JSON, none) it is empty.
FORM_MIMETYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _field_with_nul():
    """(what, name) of the first query parameter or form field holding a NUL, or None."""
    sources = [("query parameter", request.args)]
    if request.mimetype in FORM_MIMETYPES:  # don't build an empty form for a JSON body
        sources.append(("form field", request.form))
    for what, values in sources:
        for name, value in values.items(multi=True):
            name = name or ""  # a multipart part whose name werkzeug cannot read: None
            if "\x00" in name or "\x00" in (value or ""):
                return what, name.replace("\x00", "\\0")
    return None


def refuse_nul():
    found = _field_with_nul()
    if found is None:
        return
    what, name = found
    message = f"The {what} '{name}' contains a NUL character, which is not allowed."
    if wants_json():
        abort(json_error(400, message, fields={name: NO_NUL}))
    abort(400, description=message)


def refuse_ids_out_of_range():
    for key, value in (request.view_args or {}).items():
        if key.endswith("_id") and isinstance(value, int) and value > MAX_ID:
            abort(404, description=f"There is no record with id {value}.")


def register(app):
    """Install the checks; call before CSRFProtect and the sign-in gate are installed."""
    app.before_request(allow_large_uploads)
    app.before_request(refuse_nul)
    app.before_request(refuse_ids_out_of_range)
