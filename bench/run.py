"""`make bench`: Registrar against a bare Flask app, same gunicorn settings, same run.

For each database (SQLite, then PostgreSQL at BENCH_DATABASE_URL) and dataset (small, then
100k students / 2k courses / 1M enrollments) it starts gunicorn (2 workers) for hello and
for Registrar on a fresh copy of the data, drives each scenario with wrk for a fixed time,
and reports req/s, p50, p99 and errors, each as a ratio to hello measured in that block.
Then a mixed load (70% page views, 20% toggles, 10% API; 32 connections) on the large
data, with the database's size before and after. Every figure is checked against issue
16's targets (met / NOT met). Writes bench/results/bench.json and .png.

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
import time
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.server.harness import GunicornServer

from . import chart, datasets, wrk
from .scenarios import (
    HELLO,
    MAX_LARGE_TO_SMALL_P50,
    MAX_P99_MS,
    MIX,
    MIX_CONNECTIONS,
    REGISTRAR,
)

RESULTS = Path(__file__).resolve().parent / "results"
CSRF_IN_PAGE = re.compile(r'"X-CSRFToken":\s*"([^"]+)"|name="csrf_token"[^>]*value="([^"]+)"')


BENCH_USER = "bench-registrar@example.edu"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/registrar_bench"
# 5xx answers in the server log (the app's request lines and gunicorn's own).
SERVER_ERROR = re.compile(r'"status": ?5[0-9][0-9]')
TABLES = ("student_courses", "enrollment_events", "user_sessions", "api_tokens", "outbox")


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


def as_browser(scenario, headers, session):
    """The headers of `scenario`: a browser's requests carry the cookies its page load
    left (the Flask session's too: without it every page view would be a first visit,
    made a new CSRF token and set a cookie), and its form posts the page's CSRF token."""
    if not scenario.browser:
        return headers
    if scenario.method == "GET":
        return {**headers, **{k: v for k, v in session.items() if k == "Cookie"}}
    return {**headers, **session}


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
    """wrk's figures for one scenario, after a warm-up run that is not counted (each
    worker thread's first requests open its connection and fill its caches)."""
    status = probe(server.base_url, scenario, headers)
    if status != scenario.expect and not (scenario.expect is None and 200 <= status < 300):
        return {"status": f"probe answered {status}"}
    settings = dict(settings)
    warmup = settings.pop("warmup", 0)
    if warmup:
        wrk.run(server.base_url, scenario, headers, **{**settings, "duration": warmup})
    return {"status": "ok", **wrk.run(server.base_url, scenario, headers, **settings)}


def with_ratios(result, hello):
    if result.get("status") == "ok":
        result["rps_ratio"] = round(result["rps"] / hello["rps"], 3)
        result["p50_ratio"] = round(result["p50_ms"] / hello["p50_ms"], 2)
        result["p99_ratio"] = round(result["p99_ms"] / hello["p99_ms"], 2)
    return result


def bench_dataset(dataset, settings, log_dir, postgres_url=None):
    url = datasets.working_copy(dataset, postgres_url)
    ids = datasets.prepare_student(url)
    app = create_registrar(url)
    headers = {**signed_in_headers(app), **extra_headers()}
    block = {"sizes": {"students": dataset.students, "courses": dataset.courses,
                       "enrollments": dataset.enrollments}, "ids": ids, "scenarios": {}}
    common = {"workers": 2, "env": {"ACCESS_LOG": ""}}
    with GunicornServer(log_dir / "hello.log", app="bench.hello_app:app", ready_path="/",
                        **common) as hello_server:
        hello = measure(hello_server, HELLO, {}, settings)
    block["scenarios"]["hello"] = hello
    log = log_dir / f"registrar-{'postgres' if postgres_url else 'sqlite'}-{dataset.name}.log"
    log.unlink(missing_ok=True)
    with GunicornServer(log, url, **common) as server:
        scenarios = [s.fill(**ids) for s in REGISTRAR]
        session = {}
        for scenario in scenarios:
            if scenario.expect is None and not route_exists(app, scenario):
                block["scenarios"][scenario.name] = {"status": "route missing",
                                                     "path": scenario.path}
                continue
            if scenario.browser and not session:
                session = form_session(server.base_url, f"/students/{ids['student']}", headers)
            result = measure(server, scenario, as_browser(scenario, headers, session), settings)
            block["scenarios"][scenario.name] = with_ratios(
                {**result, "path": scenario.path, "target_rps_ratio": scenario.target}, hello)
        block["server_errors_logged"] = len(SERVER_ERROR.findall(server.log_text()))
    return block


def create_registrar(url):
    from webapp import create_app
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})


def bench_mix(dataset, seconds, threads, log_dir, postgres_url=None):
    """The mixed load on a fresh copy of `dataset`: figures, and the database's size and
    rows before and after (the growth should be the rows the toggles wrote, nothing else)."""
    url = datasets.working_copy(dataset, postgres_url)
    ids = datasets.prepare_student(url)
    headers = {**signed_in_headers(create_registrar(url)), **extra_headers()}
    before = {"bytes": datasets.size_of(url), "rows": datasets.row_counts(url, TABLES)}
    by_name = {s.name: s.fill(**ids) for s in REGISTRAR}
    log = log_dir / f"mixed-{'postgres' if postgres_url else 'sqlite'}.log"
    log.unlink(missing_ok=True)
    with GunicornServer(log, url, workers=2, env={"ACCESS_LOG": ""}) as server:
        session = form_session(server.base_url, f"/students/{ids['student']}", headers)
        parts = []
        for share, name in MIX:
            scenario = by_name[name]
            if name == "student page":
                scenario = replace(scenario, paths=tuple(
                    f"/students/{sid}" for sid in ids["first_students"]))
            parts.append((share, scenario, as_browser(scenario, headers, session)))
        result = wrk.run_mix(server.base_url, parts, seconds, threads, MIX_CONNECTIONS)
        errors_logged = len(SERVER_ERROR.findall(server.log_text()))
    after = {"bytes": datasets.size_of(url), "rows": datasets.row_counts(url, TABLES)}
    added = {t: after["rows"][t] - before["rows"][t] for t in TABLES}
    growth = after["bytes"] - before["bytes"]
    return {**result, "status": "ok", "seconds": seconds, "connections": MIX_CONNECTIONS,
            "shares": {name: share for share, name in MIX}, "server_errors_logged": errors_logged,
            "size_before": before["bytes"], "size_after": after["bytes"], "growth_bytes": growth,
            "rows_added": added,
            "bytes_per_event": round(growth / added["enrollment_events"], 1)
            if added["enrollment_events"] else None}


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "system": platform.platform()}


def large_to_small(blocks):
    small = blocks.get("small", {}).get("scenarios", {})
    large = blocks.get("large", {}).get("scenarios", {})
    return {name: round(large[name]["p50_ms"] / small[name]["p50_ms"], 2)
            for name in small if name in large and name != "hello"
            and small[name].get("status") == large[name].get("status") == "ok"}


def check_targets(results):
    """One row per database, dataset and scenario: its ratio against its target, p99
    against MAX_P99_MS, errors (0), met or not; then large/small p50 and the mixed load."""
    rows = []
    for database, blocks in results["runs"].items():
        for dataset, block in blocks.items():
            for name, r in block["scenarios"].items():
                if name == "hello":
                    continue
                row = {"database": database, "dataset": dataset, "scenario": name}
                if r.get("status") != "ok":
                    rows.append({**row, "met": False, "why": r.get("status")})
                    continue
                target = r.get("target_rps_ratio")
                row.update(rps_ratio=r["rps_ratio"], target=target, p99_ms=r["p99_ms"],
                           errors=r["errors"] + block.get("server_errors_logged", 0))
                row["met"] = bool((target is None or r["rps_ratio"] >= target)
                                  and r["p99_ms"] <= MAX_P99_MS and row["errors"] == 0)
                rows.append(row)
        for name, ratio in results["large_to_small_p50"].get(database, {}).items():
            rows.append({"database": database, "dataset": "large/small p50", "scenario": name,
                         "large_to_small_p50": ratio, "met": ratio <= MAX_LARGE_TO_SMALL_P50})
    for database, mix in results.get("mixed", {}).items():
        rows.append({"database": database, "dataset": "mixed", "scenario": "mixed load",
                     "p99_ms": mix["p99_ms"],
                     "errors": mix["errors"] + mix["server_errors_logged"],
                     "met": mix["errors"] + mix["server_errors_logged"] == 0})
    return rows


def report(results):
    for database, blocks in results["runs"].items():
        for name, block in blocks.items():
            sizes = block["sizes"]
            print(f"\n{database} {name}: {sizes['students']} students, {sizes['courses']} "
                  f"courses, {sizes['enrollments']} enrollments")
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
            print(f"5xx in the server log: {block.get('server_errors_logged', 0)}")
    for database, mix in results.get("mixed", {}).items():
        print(f"\n{database} mixed load ({mix['seconds']} s, {mix['connections']} connections, "
              f"{mix['shares']}): {mix['rps']:.0f} req/s, p50 {mix['p50_ms']} ms, "
              f"p99 {mix['p99_ms']} ms, errors {mix['errors']}, 5xx logged "
              f"{mix['server_errors_logged']}")
        print(f"  size {mix['size_before']:,} -> {mix['size_after']:,} bytes "
              f"({mix['growth_bytes']:+,}); rows added {mix['rows_added']}; "
              f"bytes per history event {mix['bytes_per_event']}")
    print(f"\ntargets (ratio to hello >= target, p99 <= {MAX_P99_MS} ms, 0 errors; "
          f"large/small p50 <= {MAX_LARGE_TO_SMALL_P50}):")
    print(f"{'database':9} {'data':16} {'scenario':26} {'figure':>22}  result")
    for row in results["targets"]:
        if "large_to_small_p50" in row:
            figure = f"p50 x{row['large_to_small_p50']:.2f}"
        elif "why" in row:
            figure = row["why"]
        elif "rps_ratio" in row:
            target = f"/{row['target']:.2f}" if row["target"] else ""
            figure = f"{row['rps_ratio']:.2f}{target} p99 {row['p99_ms']:.0f} e{row['errors']}"
        else:
            figure = f"p99 {row['p99_ms']:.0f} e{row['errors']}"
        print(f"{row['database']:9} {row['dataset']:16} {row['scenario']:26} {figure:>22}  "
              f"{'met' if row['met'] else 'NOT met'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=2,
                        help="seconds of load before each scenario, not counted")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--datasets", default="small,large")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--mix-seconds", type=int, default=60,
                        help="length of the mixed load on the large data (0: none)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_DATABASE_URL")
                        or POSTGRES_URL, help="its database name prefixes the bench's")
    args = parser.parse_args(argv)
    settings = {"duration": args.duration, "warmup": args.warmup, "threads": args.threads,
                "connections": args.connections}
    chosen = {d.name: d for d in (datasets.SMALL, datasets.LARGE)}
    log_dir = datasets.DATA_DIR
    log_dir.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
               "settings": {**settings, "gunicorn_workers": 2,
                            "gunicorn_threads": int(os.environ.get("GUNICORN_THREADS", "4"))},
               "runs": {}, "mixed": {}, "large_to_small_p50": {}}
    started = time.monotonic()
    for database in args.databases.split(","):
        postgres_url = args.postgres_url if database == "postgres" else None
        if postgres_url and not datasets.postgres_answers(postgres_url):
            print(f"postgres: no server answers at {postgres_url} (set BENCH_DATABASE_URL, "
                  "or --databases sqlite); left out", flush=True)
            results["skipped"] = {"postgres": f"no server at {postgres_url}"}
            continue
        blocks = results["runs"][database] = {}
        for name in args.datasets.split(","):
            blocks[name] = bench_dataset(chosen[name], settings, log_dir, postgres_url)
        results["large_to_small_p50"][database] = large_to_small(blocks)
        if args.mix_seconds:
            results["mixed"][database] = bench_mix(chosen["large"], args.mix_seconds,
                                                   args.threads, log_dir, postgres_url)
    results["targets"] = check_targets(results)
    results["bench_seconds"] = round(time.monotonic() - started)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    chart.draw(results, RESULTS / "bench.png")
    report(results)
    print(f"\nwrote {RESULTS / 'bench.json'} and {RESULTS / 'bench.png'}")


if __name__ == "__main__":
    main()
