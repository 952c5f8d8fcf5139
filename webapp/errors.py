"""One error surface per audience: JSON under /api, a page in the layout everywhere else.

Unhandled exceptions are logged once with their traceback and answered without any
stack or SQL; the answer carries the request id so a report can be matched to the log.
A database that does not answer is not a bug: 503 with Retry-After and one warning line.
"""
from flask import current_app, g, jsonify, render_template, request
from peewee import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .db import is_unavailable

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 5

# Friendlier page titles than werkzeug's names for the codes people actually meet.
PAGE_TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found",
               405: "Method not allowed", 413: "Too large", 500: "Something went wrong",
               503: "Temporarily unavailable"}
DATABASE_UNAVAILABLE = "The database is not answering. Please try again in a moment."


def wants_json():
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def json_error(status, message, **details):
    """The API's error body: {"error": message, ...details}."""
    response = jsonify({"error": message, **details})
    response.status_code = status
    return response


def _http_error(error):
    if wants_json():
        response = json_error(error.code, error.description or error.name)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
    title = PAGE_TITLES.get(error.code, error.name)
    return render_template("errors/error.html", status=error.code, title=title,
                           message=error.description), error.code


def _database_error(error):
    """503 + Retry-After while the database is unreachable; any other database error is
    a bug (500). The error page needs no database: the sign-in lookup may be what failed."""
    if not is_unavailable(error):
        return _unhandled(error)
    current_app.logger.warning("database unavailable: %s", " ".join(str(error).split()))
    response = current_app.make_response(_http_error(ServiceUnavailable(DATABASE_UNAVAILABLE)))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _unhandled(error):
    """Log once, answer with a generic 500 (JSON or page)."""
    current_app.logger.exception("unhandled exception")
    request_id = g.get("request_id")
    if wants_json():
        return json_error(500, "internal error", request_id=request_id)
    return render_template("errors/error.html", status=500, title=PAGE_TITLES[500],
                           message=InternalServerError.description,
                           request_id=request_id), 500


def register(app):
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unhandled)
    for database_error in (OperationalError, InterfaceError):
        app.register_error_handler(database_error, _database_error)
