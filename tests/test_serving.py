"""Production serving settings: gunicorn.conf.py and its JSON access log."""
import json
import logging
import multiprocessing
import runpy
import sys

from gunicorn import glogging
from gunicorn.config import Config

from webapp.config import PROJECT_ROOT
from webapp.ops.access_log import AccessJsonFormatter, GunicornLogger


def gunicorn_settings(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "ACCESS_LOG", "BIND", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))


def test_workers_follow_the_cpu_count_unless_web_concurrency_says(monkeypatch):
    assert gunicorn_settings(monkeypatch)["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


def test_threaded_workers_take_no_more_connections_than_they_have_threads(monkeypatch):
    default = gunicorn_settings(monkeypatch)
    assert default["worker_class"] == "webapp.ops.worker.ThreadWorker"
    assert default["threads"] == 4
    assert default["worker_connections"] == 4 and default["keepalive"] == 0
    eight = gunicorn_settings(monkeypatch, GUNICORN_THREADS="8")
    assert eight["threads"] == eight["worker_connections"] == 8


def test_access_log_is_off_unless_asked_and_then_json(monkeypatch):
    assert gunicorn_settings(monkeypatch)["accesslog"] is None
    on = gunicorn_settings(monkeypatch, ACCESS_LOG="1", BIND="0.0.0.0:9000")
    assert on["accesslog"] == "-" and on["bind"] == "0.0.0.0:9000"
    formatter = on["logconfig_dict"]["formatters"]["json_access"]["()"]
    assert formatter == "webapp.ops.access_log.AccessJsonFormatter"


def test_access_records_become_one_json_object_with_named_fields():
    atoms = {"h": "10.0.0.7", "m": "POST", "U": "/api/students/4/courses", "q": "",
             "s": "409", "B": "88", "M": "12", "{x-request-id}o": "req-1", "a": "curl/8"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               "%(m)s %(U)s %(s)s", (atoms,), None)

    line = json.loads(AccessJsonFormatter().format(record))

    assert line["message"] == "POST /api/students/4/courses 409"
    assert {k: line[k] for k in ("method", "path", "status", "bytes", "duration_ms",
                                 "request_id", "remote_addr", "level")} == {
        "method": "POST", "path": "/api/students/4/courses", "status": 409, "bytes": 88,
        "duration_ms": 12, "request_id": "req-1", "remote_addr": "10.0.0.7", "level": "info"}
    assert "query" not in line and "time" in line


def test_gunicorn_writes_no_access_line_unless_asked(monkeypatch):
    written = []
    monkeypatch.setattr(glogging.Logger, "access", lambda self, *args: written.append(args))
    config = Config()
    config.set("logger_class", gunicorn_settings(monkeypatch)["logger_class"])
    logger = config.logger_class(config)
    assert isinstance(logger, GunicornLogger)
    logger.access(None, None, {}, 0)  # accesslog None: the app's own line is the one
    assert written == []
    config.set("accesslog", "-")
    logger.access(None, None, {}, 0)
    assert len(written) == 1


def test_the_apps_json_lines_are_not_repeated_by_gunicorns_plain_handler(monkeypatch):
    loggers = gunicorn_settings(monkeypatch)["logconfig_dict"]["loggers"]
    assert loggers["webapp"]["propagate"] is False


def test_the_master_builds_the_app_and_compiles_its_templates_but_holds_no_connection(
        monkeypatch, tmp_path):
    """Workers are forked from an app that is ready (preload_app, on_starting), so one that
    max_requests recycles under load serves at once; the master opens no database
    connection or writers' lock a worker would then share."""
    from types import SimpleNamespace

    from flask import Flask

    from webapp import create_app
    from webapp.db import db
    settings = gunicorn_settings(monkeypatch)
    assert settings["preload_app"] is True
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/served.db", "SECRET_KEY": "x"})
    compiled = lambda: {name for _, name in app.jinja_env.cache}
    assert "students/show.html" not in compiled()

    settings["on_starting"](SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))

    assert {"base.html", "students/show.html", "students/_toggle.html",
            "history/_events.html"} <= compiled()
    assert "webapp.oneroster.staging" in sys.modules  # (imported by no view until used)
    assert db.is_closed() and not db.obj._in_use and not db.obj._connections
    assert db.obj.writers.fd is None
    # The bench's hello app is served with the same settings: nothing to warm there.
    settings["on_starting"](SimpleNamespace(app=SimpleNamespace(wsgi=lambda: Flask("hello"))))
