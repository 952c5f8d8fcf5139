"""Run the real server: gunicorn (gunicorn.conf.py) in its own process group.

Used by the server tests and by bench/. Each server gets a free loopback port, its
own environment (DATABASE_URL, SECRET_KEY, WEB_CONCURRENCY) and a log file.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
HUEY_CONSUMER = Path(sys.executable).with_name("huey_consumer")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerFailed(RuntimeError):
    """The server exited or never answered; the message carries its log's tail."""


class ProcessGroup:
    """A child started in its own process group (`process`, logging to `log_path`)."""
    process = None
    log_path = None

    def kill(self):
        """kill -9 the whole process group: master and every worker, mid-request."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        """Graceful stop (SIGTERM to the master); kill() if it lingers."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, chars=3000):
        return self.log_text()[-chars:]


class GunicornServer(ProcessGroup):
    """gunicorn serving `app` ("module:callable"); start(), stop(), kill()."""

    def __init__(self, log_path, database_url=None, app="webapp:create_app()", workers=2,
                 ready_path="/healthz", env=None):
        self.log_path = Path(log_path)
        self.app, self.ready_path = app, ready_path
        self.env = {**os.environ, "SECRET_KEY": "server-test", "WEB_CONCURRENCY": str(workers),
                    **(env or {})}
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.process = None
        self.port = None

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=30):
        self.port = free_port()
        self.env["BIND"] = f"127.0.0.1:{self.port}"
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it while it runs
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(PROJECT_ROOT / "gunicorn.conf.py"), self.app],
            cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)  # own process group: kill() takes master and workers
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"gunicorn exited {self.process.returncode}:\n{self.log_tail()}")
            if request(self.base_url + self.ready_path, timeout=2)[0] == 200:
                return self
            time.sleep(0.2)
        self.kill()
        raise ServerFailed(f"gunicorn did not answer {self.ready_path}:\n{self.log_tail()}")


    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class HueyConsumer(ProcessGroup):
    """The job consumer (`huey_consumer webapp.ops.jobs.huey`, one worker) in its own
    process group, on `database_url` and the queue file `jobs_db`; start(), stop(), kill()."""

    def __init__(self, log_path, database_url, jobs_db):
        self.env = {**os.environ, "DATABASE_URL": database_url, "JOBS_DB": str(jobs_db),
                    "PYTHONPATH": str(PROJECT_ROOT)}
        self.env.pop("REDIS_URL", None)
        self.log_path = Path(log_path)
        self.process = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(HUEY_CONSUMER), "webapp.ops.jobs.huey", "--workers", "1", "--delay", "0.05"],
                cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        return self


def request(url, method="GET", body=None, headers=None, timeout=30):
    """(status, parsed JSON or text) without raising on 4xx/5xx; (None, error) when the
    connection fails (refused, reset, server killed)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, _decode(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, _decode(err.read())
    except (OSError, urllib.error.URLError, http.client.HTTPException) as err:
        return None, err  # HTTPException: e.g. IncompleteRead from a server killed mid-answer


def _decode(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
