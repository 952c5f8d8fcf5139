"""Clients that send their headers slowly must not keep anyone else waiting.

With sync workers each slow client held a whole worker until gunicorn's timeout killed
it: two of them made /healthz time out. gthread workers give a slow client one thread.
"""
import socket
import threading

import pytest

from .harness import request

WORKERS, THREADS = 2, 4
SLOW_CLIENTS = WORKERS * THREADS - 2  # three times as many as there are workers


class SlowClient(threading.Thread):
    """Sends a request line, then one header byte every 0.2 s until told to finish."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        self.finish = threading.Event()

    def run(self):
        try:
            while not self.finish.wait(0.2):
                self.sock.sendall(b"a")
        except OSError:
            pass  # the server hung up: complete() gets no status line

    def complete(self):
        """End the headers and return the status line of the answer."""
        self.finish.set()
        self.join()
        self.sock.sendall(b"\r\nConnection: close\r\n\r\n")
        with self.sock, self.sock.makefile("rb") as answer:
            return answer.readline().decode().strip()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_slow_clients_do_not_keep_healthz_waiting(serve):
    # A long worker timeout: a worker stuck on a slow client is not rescued by a restart.
    server = serve(workers=WORKERS, GUNICORN_THREADS=str(THREADS), GUNICORN_TIMEOUT="120")
    slow = [SlowClient(server.port) for _ in range(SLOW_CLIENTS)]
    for client in slow:
        client.start()

    for _ in range(10):  # while the slow clients keep trickling
        assert request(f"{server.base_url}/healthz", timeout=10) == (200, {"status": "ok"}), \
            server.log_tail()
    assert [client.complete() for client in slow] == ["HTTP/1.1 200 OK"] * SLOW_CLIENTS
