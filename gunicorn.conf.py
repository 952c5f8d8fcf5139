"""gunicorn settings for `make serve`, the Docker image and the benchmarks.

Every setting can be overridden from the environment (names below) or the command line.
"""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Default 2 x CPUs + 1 processes (gunicorn's advice); WEB_CONCURRENCY is the usual override.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# gthread, not sync: a sync worker is a whole process per connection, so two clients
# sending their headers slowly stalled two workers (and /healthz) until the timeout killed
# them. A gthread worker gives a request one of its threads and keeps idle connections in
# a poller (one that sends nothing is handed back to it after 5 s). Ours closes a finished
# connection in the request's thread, not on the event loop (webapp/ops/worker.py).
worker_class = "webapp.ops.worker.ThreadWorker"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A worker takes no more connections than it has threads: once its threads are all busy
# (slow clients), new connections go to another worker instead of queueing behind them.
# That leaves no room for keep-alive, which the sync workers did not do either.
worker_connections = threads
keepalive = 0
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# The master builds the app (no connection: each worker opens its own pool's on its first
# request) and compiles its templates before forking (on_starting), so a worker forked
# when max_requests recycles one serves at once: building the app and compiling the
# templates in each new worker took ~0.3 s of CPU under load (API p99s of ~100 ms).
preload_app = True
# gunicorn >= 24 opens a control socket in ~/.gunicorn; several servers on one machine
# (tests, benchmarks) would fight over it and nothing here uses it.
control_socket_disable = True
# Restart workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10

# Logs go to stderr. The access log is off by default (ACCESS_LOG=1 turns it on) and,
# when on, is one JSON object per request (webapp.ops.access_log.AccessJsonFormatter).
accesslog = "-" if os.environ.get("ACCESS_LOG", "") in {"1", "true", "yes"} else None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
access_log_format = '%(m)s %(U)s %(s)s'
# (gunicorn would write access lines whenever logconfig_dict is set, ACCESS_LOG or not)
logger_class = "webapp.ops.access_log.GunicornLogger"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json_access": {"()": "webapp.ops.access_log.AccessJsonFormatter"},
        "plain": {"format": "%(asctime)s [%(process)d] %(levelname)s %(message)s"},
    },
    "handlers": {
        "access": {"class": "logging.StreamHandler", "formatter": "json_access",
                   "stream": "ext://sys.stderr"},
        "error": {"class": "logging.StreamHandler", "formatter": "plain",
                  "stream": "ext://sys.stderr"},
    },
    # gunicorn merges this over its defaults, whose root logger names a "console" handler.
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["error"], "level": loglevel.upper(), "propagate": False},
        # The app writes its own JSON lines (webapp/request_log.py); passed on to the root's
        # plain handler each would be written twice.
        "webapp": {"propagate": False},
    },
}


def on_starting(server):
    """Before the first fork: import the rest of the app's modules (webapp.import_modules)
    and compile the preloaded app's templates (webapp.warm_up)."""
    from webapp import Registrar, import_modules, warm_up
    import_modules()
    app = server.app.wsgi()
    if isinstance(app, Registrar):  # (the bench's hello app has nothing to warm)
        warm_up(app)
