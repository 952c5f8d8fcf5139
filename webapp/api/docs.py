"""The OpenAPI document, as JSON for machines and as a page for people."""
from flask import jsonify, render_template

from .core import bp, spec

# The document --------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document, generated from the routes above."""
    return jsonify(spec.spec)


@bp.get("/docs")
def docs():
    """The same document as a page for people (server-rendered, no scripts)."""
    return render_template("api/docs.html", doc=spec.spec)
