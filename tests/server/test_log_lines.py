"""Under gunicorn, as in tests: one JSON line per request, no second copy of it."""
import json

import pytest

from .harness import request


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_request_writes_one_line_under_gunicorn(serve, api_headers):
    server = serve(ACCESS_LOG="")
    for path in ("/healthz", "/api/students", "/api/no-such-thing"):
        request(server.base_url + path, headers={**api_headers, "X-Request-ID": "once-" + path[1:4]})
    server.stop()

    lines = [line for line in server.log_text().splitlines() if "once-" in line]
    assert len(lines) == 3, lines  # not gunicorn's access line, not the root logger's copy
    assert [json.loads(line)["status"] for line in lines] == [200, 200, 404]
    assert " INFO request" not in server.log_text()  # the root logger's plain copy
