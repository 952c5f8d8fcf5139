"""gunicorn's access log as one JSON object per line (python-json-logger).

gunicorn hands each access record its "atoms" (status, path, timing, ...) as the log
record's args; this formatter turns the useful ones into named JSON fields.
"""
from gunicorn import glogging
from pythonjsonlogger.json import JsonFormatter

from ..request_log import loggable_path

# JSON field -> gunicorn access-log atom
ACCESS_FIELDS = {
    "remote_addr": "h",
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "request_id": "{x-request-id}o",
    "user_agent": "a",
}
INTEGER_FIELDS = {"status", "bytes", "duration_ms"}


class AccessJsonFormatter(JsonFormatter):
    """Formats gunicorn.access records as {"time", "level", "method", "path", "status", ...}."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def format(self, record):
        """A set-password link's secret is cut from the path before anything is written."""
        if isinstance(record.args, dict) and "U" in record.args:
            record.args = {**record.args, "U": loggable_path(record.args["U"])}
        return super().format(record)

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        log_data["level"] = record.levelname.lower()
        atoms = record.args if isinstance(record.args, dict) else {}
        for name, atom in ACCESS_FIELDS.items():
            value = atoms.get(atom, "-")
            if value in (None, "-", ""):
                continue
            log_data[name] = _as_int(value) if name in INTEGER_FIELDS else value


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


class GunicornLogger(glogging.Logger):
    """gunicorn's logger, writing access lines only when asked (ACCESS_LOG sets accesslog).

    gunicorn writes them whenever a logconfig_dict is given, and ours always is (for the
    error log's format): every request was logged twice, the app's line and gunicorn's."""

    def access(self, resp, req, environ, request_time):
        if self.cfg.accesslog is not None:
            super().access(resp, req, environ, request_time)
