"""gunicorn's gthread worker, with each finished connection closed by its request's thread.

Without keep-alive (gunicorn.conf.py says why) every answer ends its connection, and
gunicorn closes it the RFC 9112 way: shut the write side, then wait, up to 2 s, for the
client to hang up. It waits on the worker's one event-loop thread — the thread that
accepts connections and hands finished requests back — so while one client is slow to
hang up (a busy machine: a few ms; a sluggish client: up to 2 s) nobody else's request is
started or finished by that worker. That wait was the idempotent POST's p99 of hundreds
of ms under load. Here the thread that served the request does the wait, as the sync
worker does, and the event loop only counts the connection gone.
"""
from gunicorn import util
from gunicorn.workers import gthread


def _closed(graceful=False):
    """The connection was closed already (by its request's thread)."""


class ThreadWorker(gthread.ThreadWorker):
    def handle(self, conn):
        keep = super().handle(conn)
        if not keep:  # False or None: this connection ends (keep-alive or deferred: not)
            try:
                conn.sock.setblocking(True)
                util.close_graceful(conn.sock)
            except OSError:
                util.close(conn.sock)
            conn.close = _closed  # finish_request(), on the event loop, then closes nothing
        return keep
