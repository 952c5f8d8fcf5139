"""The Docker image builds, migrates on start, serves /healthz and runs as non-root.

Needs a docker daemon; without one the test is skipped with the reason.
"""
import shutil
import subprocess
import time
import urllib.request
import uuid

import pytest

from webapp.config import PROJECT_ROOT


def docker(*args, timeout=60, check=True):
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                          check=check)


def daemon_problem():
    """Why docker cannot be used here, or None when it can."""
    if not shutil.which("docker"):
        return "no docker client on PATH"
    try:
        info = docker("info", "--format", "{{.ServerVersion}}", timeout=20, check=False)
    except subprocess.TimeoutExpired:
        return "docker info timed out"
    if info.returncode != 0:
        return f"no docker daemon answers: {info.stderr.strip().splitlines()[-1:]}"
    return None


@pytest.fixture(scope="module")
def image():
    problem = daemon_problem()
    if problem:
        pytest.skip(problem)
    tag = f"registrar-test:{uuid.uuid4().hex[:8]}"
    docker("build", "--tag", tag, str(PROJECT_ROOT), timeout=900)
    yield tag
    docker("image", "rm", "--force", tag, check=False)


def wait_for_health(port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                return resp.status
        except OSError:
            time.sleep(0.5)
    return None


def test_container_migrates_serves_healthz_and_runs_as_non_root(image):
    name = f"registrar-test-{uuid.uuid4().hex[:8]}"
    docker("run", "--detach", "--name", name, "--publish", "127.0.0.1::8000", image)
    try:
        port = docker("port", name, "8000").stdout.strip().rsplit(":", 1)[1]

        assert wait_for_health(port) == 200, docker("logs", name, check=False).stderr[-2000:]
        assert docker("exec", name, "id", "-u").stdout.strip() != "0"
        status = docker("exec", name, "flask", "--app", "webapp", "db", "status").stdout
        assert "pending" not in status and "applied" in status
        modes = docker("exec", name, "stat", "-c", "%a %n", "instance/secret_key",
                       "instance/registrar.db").stdout.split("\n")
        assert modes[:2] == ["600 instance/secret_key", "600 instance/registrar.db"]
    finally:
        docker("rm", "--force", name, check=False)
