"""Request ids and structured logs.

Every request gets an id: the caller's `X-Request-ID` when it is a sane token, else a
new one. It is echoed in the response header, stamped on every log record made during
the request, and quoted in 500 answers, so one id ties a report to its log lines.
Each request ends with exactly one JSON log line on stderr (python-json-logger's fields,
written by orjson; the request line itself skips the logging module's stack walk).
"""
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

import orjson
from flask import g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.orjson import OrjsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_logger = logging.getLogger("webapp.requests")
# A one-time set-password link carries its secret in the path: logs keep only its shape.
SECRET_IN_PATH = re.compile(r"^(/account/set-password/)[^/]+")


def loggable_path(path):
    """`path` with any secret it carries replaced by `…`."""
    return SECRET_IN_PATH.sub(r"\1…", path or "")


class RequestIdFilter(logging.Filter):
    """Adds the current request id to records that do not carry one already."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class JsonLines(OrjsonFormatter):
    """{"levelname", "name", "message", ...extra fields, "timestamp"} per record.

    The request line (a record with `fields`) is written straight from its dict; any
    other record (warnings, tracebacks) goes through python-json-logger."""

    def format(self, record):
        fields = getattr(record, "fields", None)
        if fields is None or record.exc_info:
            return super().format(record)
        return orjson.dumps({
            "levelname": record.levelname, "name": record.name, "message": record.msg,
            **fields, "timestamp": datetime.fromtimestamp(record.created, tz=UTC),
        }).decode()


def _json_handler():
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines("{levelname}{name}{message}", style="{", timestamp=True))
    handler.addFilter(RequestIdFilter())
    return handler


# One handler for the process: apps made by tests share the "webapp" logger.
json_handler = _json_handler()


def _request_id():
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    return incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def _log_user():
    """Who made the request, once sign-in sets g.user (None until then)."""
    return getattr(g.get("user"), "email", None)


def register(app):
    """Install JSON logging on app.logger and the request-id/log hooks.

    Call first in create_app: before_request hooks run in registration order (so every
    later hook, error and log line sees g.request_id) and after_request hooks in reverse
    (so the log line sees the final status)."""
    logger = app.logger
    logger.removeHandler(default_handler)
    if json_handler not in logger.handlers:
        logger.addHandler(json_handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)

    @app.before_request
    def _start_request():
        g.request_started = time.perf_counter()
        g.request_id = _request_id()

    @app.after_request
    def _finish_request(response):
        request_id = g.get("request_id") or _request_id()
        response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started", time.perf_counter())
        if request_logger.isEnabledFor(logging.INFO):
            fields = {
                "method": request.method,
                "path": loggable_path(request.path),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": request_id,
                "remote_addr": request.remote_addr,
                "user": _log_user(),
            }
            # makeRecord + handle: what .info() does, minus finding the caller's frame.
            request_logger.handle(request_logger.makeRecord(
                request_logger.name, logging.INFO, "", 0, "request", (), None,
                extra={"request_id": request_id, "fields": fields}))
        return response
