"""The OpenAPI document, as JSON for machines and as a page for people."""
from flask import jsonify, render_template
from markdown_it import MarkdownIt
from markupsafe import Markup

from .core import bp, spec

# CommonMark with raw HTML off: a description's "<token>" is shown, never run, and links
# with unsafe schemes (javascript:) are not made.
MARKDOWN = MarkdownIt("commonmark", {"html": False})


@bp.app_template_filter("markdown")
def markdown(text, inline=False):
    """A description (Markdown, as docstrings and the OpenAPI document write them) as HTML:
    paragraphs, or `inline` for a table cell."""
    text = text or ""
    return Markup(MARKDOWN.renderInline(text) if inline else MARKDOWN.render(text))

# The document --------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document, generated from the routes above."""
    return jsonify(spec.spec)


@bp.get("/docs")
def docs():
    """The same document as a page for people (server-rendered, no scripts)."""
    return render_template("api/docs.html", doc=spec.spec)
