"""Files that hold the secret key or student data are created readable by their owner only."""
import os
import stat
import subprocess
import sys

import pytest

from webapp import create_app
from webapp.config import PROJECT_ROOT
from webapp.db import db

from .conftest import release


@pytest.fixture(autouse=True)
def usual_umask():
    """The common 022: a file comes out private only because the code made it so."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_make_writes_the_secret_key_for_its_owner_only(tmp_path):
    subprocess.run(["make", "--silent", "-C", str(tmp_path), "-f", str(PROJECT_ROOT / "Makefile"),
                    "instance/secret_key", f"PY={sys.executable}"], check=True, timeout=60)

    key = tmp_path / "instance" / "secret_key"
    assert len(key.read_text().strip()) == 64
    assert mode(key) == 0o600


def test_a_new_sqlite_database_and_its_wal_are_for_their_owner_only(tmp_path):
    path = tmp_path / "data" / "registrar.db"
    create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}"})
    try:
        db.execute_sql("CREATE TABLE t (x)")
        db.execute_sql("INSERT INTO t VALUES (1)")
        files = sorted(p.name for p in path.parent.iterdir())
        assert files == ["registrar.db", "registrar.db-shm", "registrar.db-wal"]
        assert {name: mode(path.parent / name) for name in files} == dict.fromkeys(files, 0o600)
    finally:
        release(db.obj)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_backup_is_for_its_owner_only(runner, tmp_path):
    result = runner.invoke(args=["db", "backup", str(tmp_path / "registrar.bak")])

    assert result.exit_code == 0, result.output
    assert mode(tmp_path / "registrar.bak") == 0o600
