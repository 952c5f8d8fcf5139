"""The JSON API under /api (contract: design/API.md), one module per resource.

Rule of this package: it calls `webapp.rules` for every read and write and never imports
`webapp.pages` (the pages and the API are two faces of the same rules).

Each route parses its input with a pydantic model (schemas.py), calls the rules, and
answers with a response model. spectree builds the OpenAPI document from these same
route definitions (core.operation), so the document cannot drift from the code.
"""
# Importing a resource module registers its routes, in the order the document lists them.
from . import students, courses, terms, enrollments, waitlists, history, imports, docs  # noqa: F401,I001
from .core import bp, spec  # noqa: F401
