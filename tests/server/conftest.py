"""Fixtures for tests through real gunicorn: on SQLite and on Postgres (see tests/conftest)."""
import pytest

from .harness import GunicornServer


@pytest.fixture
def serve(database_url, tmp_path):
    """Start gunicorn (2 workers) on the test's database; every server is stopped after."""
    servers = []

    def start(workers=2, **env):
        """`env`: settings for gunicorn.conf.py (GUNICORN_THREADS="4", …)."""
        server = GunicornServer(tmp_path / f"gunicorn-{len(servers)}.log", database_url,
                                workers=workers, env=env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()

