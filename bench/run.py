"""`make bench`: Registrar against a bare Flask app, same gunicorn settings, same run.

For each dataset (small, then 100k students / 2k courses / 1M enrollments) it starts
gunicorn (2 workers) for hello and for Registrar on a fresh copy of the data, drives
each scenario with wrk for a fixed time, and reports req/s, p50, p99 and errors, each
as a ratio to hello measured in that block. Writes bench/results/bench.json and .png.

Registrar is driven as a signed-in registrar: a bench account in the data set gives a
bearer token (API) and a session cookie (pages). Extra request headers come from
BENCH_HEADERS, a JSON object.
"""
import argparse
import http.cookiejar
import json
import os
import platform
import re
import secrets
import sqlite3
import urllib.request
from pathlib import Path

from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.server.harness import GunicornServer

from . import chart, datasets, wrk
from .scenarios import HELLO, REGISTRAR

RESULTS = Path(__file__).resolve().parent / "results"
CSRF_IN_PAGE = re.compile(r'"X-CSRFToken":\s*"([^"]+)"|name="csrf_token"[^>]*value="([^"]+)"')


BENCH_USER = "bench-registrar@example.edu"


def extra_headers():
    return json.loads(os.environ.get("BENCH_HEADERS") or "{}")


def signed_in_headers(app):
    """Credentials of a bench registrar: a bearer token and a session cookie."""
    from webapp import security
    from webapp.rules import users
    with app.app_context():
        user = users.find_user(BENCH_USER) or users.create_user(
            BENCH_USER, "Bench Registrar", "registrar", secrets.token_urlsafe(16))
        return {"Authorization": f"Bearer {users.issue_token(user)}",
                "Cookie": f"{security.SESSION_COOKIE}={users.start_session(user)}"}


def route_exists(app, scenario):
    try:
        app.url_map.bind("localhost").match(scenario.path, method=scenario.method)
        return True
    except (NotFound, MethodNotAllowed):
        return False


def form_session(base_url, page_path, headers):
    """Cookie + X-CSRFToken headers taken from a real page load, as a browser holds them."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(urllib.request.Request(base_url + page_path, headers=headers)) as resp:
        page = resp.read().decode()
    found = CSRF_IN_PAGE.search(page)
    session = {}
    if found:
        session["X-CSRFToken"] = found.group(1) or found.group(2)
    cookies = [headers["Cookie"]] if "Cookie" in headers else []
    cookies += [f"{c.name}={c.value}" for c in jar]
    if cookies:
        session["Cookie"] = "; ".join(cookies)
    return session


def probe(base_url, scenario, headers):
    """Status of one request as wrk will send it (the first body)."""
    body = scenario.bodies[0].encode() if scenario.bodies else None
    all_headers = {**headers, **({"Content-Type": scenario.content_type}
                                 if scenario.content_type else {})}
    req = urllib.request.Request(base_url + scenario.path, data=body, method=scenario.method,
                                 headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def measure(server, scenario, headers, settings):
    status = probe(server.base_url, scenario, headers)
    if status != scenario.expect and not (scenario.expect is None and 200 <= status < 300):
        return {"status": f"probe answered {status}"}
    return {"status": "ok", **wrk.run(server.base_url, scenario, headers, **settings)}


def with_ratios(result, hello):
    if result.get("status") == "ok":
        result["rps_ratio"] = round(result["rps"] / hello["rps"], 3)
        result["p50_ratio"] = round(result["p50_ms"] / hello["p50_ms"], 2)
        result["p99_ratio"] = round(result["p99_ms"] / hello["p99_ms"], 2)
    return result


def bench_dataset(dataset, settings, log_dir):
    from webapp import create_app
    url = datasets.working_copy(dataset)
    ids = datasets.prepare_student(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    headers = {**signed_in_headers(app), **extra_headers()}
    block = {"sizes": {"students": dataset.students, "courses": dataset.courses,
                       "enrollments": dataset.enrollments}, "ids": ids, "scenarios": {}}
    common = {"workers": 2, "env": {"ACCESS_LOG": ""}}
    with GunicornServer(log_dir / "hello.log", app="bench.hello_app:app", ready_path="/",
                        **common) as hello_server:
        hello = measure(hello_server, HELLO, {}, settings)
    block["scenarios"]["hello"] = hello
    with GunicornServer(log_dir / f"registrar-{dataset.name}.log", url, **common) as server:
        scenarios = [s.fill(**ids) for s in REGISTRAR]
        session = {}
        for scenario in scenarios:
            if scenario.expect is None and not route_exists(app, scenario):
                block["scenarios"][scenario.name] = {"status": "route missing",
                                                     "path": scenario.path}
                continue
            if scenario.form_post and not session:
                session = form_session(server.base_url, f"/students/{ids['student']}", headers)
            result = measure(server, scenario,
                             {**headers, **(session if scenario.form_post else {})}, settings)
            block["scenarios"][scenario.name] = with_ratios(
                {**result, "path": scenario.path, "target_rps_ratio": scenario.target}, hello)
        block["server_errors_logged"] = server.log_text().count('"status": 5')
    return block


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "system": platform.platform()}


def report(results):
    for name, block in results["datasets"].items():
        sizes = block["sizes"]
        print(f"\n{name}: {sizes['students']} students, {sizes['courses']} courses, "
              f"{sizes['enrollments']} enrollments")
        print(f"{'scenario':26} {'req/s':>8} {'x hello':>8} {'target':>7} {'p50 ms':>8} "
              f"{'p99 ms':>8} {'errors':>6}")
        for scenario, r in block["scenarios"].items():
            if r.get("status") != "ok":
                print(f"{scenario:26} {r['status']} ({r.get('path', '')})")
                continue
            target = r.get("target_rps_ratio")
            print(f"{scenario:26} {r['rps']:8.0f} {r.get('rps_ratio', 1):8.2f} "
                  f"{'' if target is None else f'>={target:.2f}':>7} {r['p50_ms']:8.2f} "
                  f"{r['p99_ms']:8.2f} {r['errors']:6d}")
    print("\nlarge/small p50:", json.dumps(results.get("large_to_small_p50", {})))


def large_to_small(results):
    small = results["datasets"].get("small", {}).get("scenarios", {})
    large = results["datasets"].get("large", {}).get("scenarios", {})
    return {name: round(large[name]["p50_ms"] / small[name]["p50_ms"], 2)
            for name in small if name in large and name != "hello"
            and small[name].get("status") == large[name].get("status") == "ok"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--datasets", default="small,large")
    args = parser.parse_args(argv)
    settings = {"duration": args.duration, "threads": args.threads,
                "connections": args.connections}
    chosen = {d.name: d for d in (datasets.SMALL, datasets.LARGE)}
    log_dir = datasets.DATA_DIR
    log_dir.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "settings": {**settings, "gunicorn_workers": 2},
               "datasets": {}}
    for name in args.datasets.split(","):
        results["datasets"][name] = bench_dataset(chosen[name], settings, log_dir)
    results["large_to_small_p50"] = large_to_small(results)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    chart.draw(results, RESULTS / "bench.png")
    report(results)
    print(f"\nwrote {RESULTS / 'bench.json'} and {RESULTS / 'bench.png'}")


if __name__ == "__main__":
    main()
