"""OneRoster import benchmark (issue 14 point 7), part of `make bench`.

Generates a 1.1 bundle (streamed to disk) of N students, N/50 classes in 4 terms and 10
enrollments per student — at scale 1: 100k students, 2k classes, 1M enrollments — and
imports it into a fresh, migrated SQLite database, each size in its own process so its
peak memory (ru_maxrss) is its own. Baseline: raw `sqlite3` `executemany` of the same rows
(terms, students, courses, enrollments and their history events) into the same schema in
one transaction, with SQLite's default page cache and again with the one the import
applies with (importer.APPLY_CACHE_KIB). Writes bench/results/oneroster.json.

    python -m bench.oneroster                 # scales 0.1 and 1 (the full size)
    python -m bench.oneroster --scale 0.01    # quick
"""
import argparse
import csv
import io
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
TERMS = [("t-1", "Fall 2026", "2026-09-01", "2026-12-18"),
         ("t-2", "Spring 2027", "2027-01-11", "2027-05-28"),
         ("t-3", "Fall 2027", "2027-09-01", "2027-12-18"),
         ("t-4", "Spring 2028", "2028-01-11", "2028-05-28")]
PER_STUDENT = 10


def sizes(scale):
    students = max(int(100_000 * scale), 50)
    return students, max(students // 50, PER_STUDENT)


def _csv(archive, name, header, rows):
    with archive.open(f"{name}.csv", "w") as raw, io.TextIOWrapper(raw, "utf-8",
                                                                    newline="") as text:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def enrollment_pairs(students, classes):
    for s in range(students):
        for k in range(PER_STUDENT):
            yield s, (s * 7 + k * (classes // PER_STUDENT)) % classes


def generate(path, scale):
    """Write the bundle, row by row; returns {kind: rows}."""
    students, classes = sizes(scale)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _csv(archive, "manifest", ("propertyName", "value"),
             [("manifest.version", "1.0"), ("oneroster.version", "1.1")]
             + [(f"file.{n}", "bulk") for n in ("academicSessions", "classes", "users",
                                                 "enrollments")])
        _csv(archive, "academicSessions", ("sourcedId", "status", "dateLastModified", "title",
                                           "type", "startDate", "endDate"),
             [(sid, "active", "", title, "term", start, end) for sid, title, start, end in TERMS])
        _csv(archive, "classes", ("sourcedId", "status", "dateLastModified", "title",
                                  "courseSourcedId", "classCode", "classType",
                                  "schoolSourcedId", "termSourcedIds"),
             ((f"k-{k}", "active", "", f"Class {k}", "", f"CL-{k}", "scheduled", "org",
               TERMS[k % 4][0]) for k in range(classes)))
        _csv(archive, "users", ("sourcedId", "status", "enabledUser", "role", "givenName",
                                "familyName", "identifier", "email"),
             ((f"u-{s}", "active", "true", "student", f"Given{s}", f"Family{s}", f"S-{s}",
               f"s{s}@school.test") for s in range(students)))
        _csv(archive, "enrollments", ("sourcedId", "status", "classSourcedId",
                                      "schoolSourcedId", "userSourcedId", "role"),
             ((f"e-{s}-{k}", "active", f"k-{k}", "org", f"u-{s}", "student")
              for s, k in enrollment_pairs(students, classes)))
    return {"terms": len(TERMS), "students": students, "courses": classes,
            "enrollments": students * PER_STUDENT}


def fresh_database(path):
    """A migrated SQLite file at `path`; returns the app (its database initialised)."""
    from webapp import create_app
    from webapp.config import PROJECT_ROOT
    from webapp.ops import migrate
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench"})
    with app.app_context():
        migrate.upgrade(str(PROJECT_ROOT / "migrations"))
    return app


def raw_baseline(db_path, scale, cache_kib=None):
    """Seconds for sqlite3 executemany of the same rows in one transaction (with SQLite's
    default page cache, or `cache_kib` KiB: the one the import applies with)."""
    students, classes = sizes(scale)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=normal")
    con.execute("PRAGMA foreign_keys=1")
    if cache_kib:
        con.execute(f"PRAGMA cache_size=-{cache_kib}")
    started = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.executemany("INSERT INTO terms (id, code, name, starts_on, ends_on, sourced_id) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(i + 1, sid.upper(), title, start, end, sid)
                     for i, (sid, title, start, end) in enumerate(TERMS)])
    con.executemany("INSERT INTO students (id, name, email, student_number, created_at, "
                    "sourced_id) VALUES (?, ?, ?, ?, ?, ?)",
                    ((s + 1, f"Given{s} Family{s}", f"s{s}@school.test", f"S-{s}", now,
                      f"u-{s}") for s in range(students)))
    con.executemany("INSERT INTO courses (id, code, title, term_id, enrolled_count, "
                    "created_at, sourced_id) VALUES (?, ?, ?, ?, 0, ?, ?)",
                    ((k + 1, f"CL-{k}", f"Class {k}", k % 4 + 1, now, f"k-{k}")
                     for k in range(classes)))
    con.executemany("INSERT INTO student_courses (student_id, course_id, enrolled_at, "
                    "sourced_id) VALUES (?, ?, ?, ?)",
                    ((s + 1, k + 1, now, f"e-{s}-{k}")
                     for s, k in enrollment_pairs(students, classes)))
    con.executemany("INSERT INTO enrollment_events (student_id, course_id, action, "
                    "actor_name, at) VALUES (?, ?, 'enroll', 'OneRoster import', ?)",
                    ((s + 1, k + 1, now) for s, k in enrollment_pairs(students, classes)))
    con.execute("COMMIT")
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def child(scale, workdir):
    """One size, in this process: generate, import, baseline; prints one JSON line."""
    from webapp.oneroster import import_bundle
    from webapp.oneroster.importer import APPLY_CACHE_KIB
    workdir = Path(workdir)
    bundle = workdir / "bundle.zip"
    started = time.perf_counter()
    counts = generate(bundle, scale)
    generated = time.perf_counter() - started
    for name in ("raw.db", "raw-cache.db"):
        fresh_database(workdir / name)  # the same schema for the baselines
    app = fresh_database(workdir / "import.db")
    with app.app_context():
        started = time.perf_counter()
        report = import_bundle(bundle)
        seconds = time.perf_counter() - started
    assert report.applied and not report.errors, report.to_dict()["errors"][:3]
    assert report.created["enrollments"] == counts["enrollments"]
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    raw = raw_baseline(workdir / "raw.db", scale)
    raw_cached = raw_baseline(workdir / "raw-cache.db", scale, APPLY_CACHE_KIB)
    rows = sum(counts.values())
    print(json.dumps({"scale": scale, "rows": counts, "bundle_bytes": bundle.stat().st_size,
                      "generate_s": round(generated, 2), "import_s": round(seconds, 2),
                      "rows_per_s": round(rows / seconds), "raw_executemany_s": round(raw, 2),
                      "ratio_to_raw": round(seconds / raw, 2),
                      "raw_same_cache_s": round(raw_cached, 2),
                      "ratio_to_raw_same_cache": round(seconds / raw_cached, 2),
                      "peak_rss_mib": round(peak_kib / 1024, 1)}))


RATIO_TARGET = 2.0


def verdict(result):
    """One line against issue 14's speed target."""
    ratio = result["ratio_to_raw"]
    return (f"scale {result['scale']}: {result['rows_per_s']:,} rows/s, "
            f"{ratio} x raw executemany (target <= {RATIO_TARGET}: "
            f"{'met' if ratio <= RATIO_TARGET else 'NOT met'}), "
            f"{result['ratio_to_raw_same_cache']} x raw with the import's page cache; "
            f"peak {result['peak_rss_mib']} MiB")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, action="append",
                        help="1 = 100k students, 2k classes, 1M enrollments (repeatable)")
    parser.add_argument("--child", nargs=2, metavar=("SCALE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(float(args.child[0]), args.child[1])
    results = []
    for scale in args.scale or [0.1, 1.0]:
        with tempfile.TemporaryDirectory() as workdir:
            out = subprocess.run([sys.executable, "-m", "bench.oneroster", "--child",
                                  str(scale), workdir], check=True, capture_output=True,
                                 text=True, env={**os.environ, "FLASK_DEBUG": "0"})
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(result)
            print(json.dumps(result))
            print(verdict(result))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "oneroster.json").write_text(json.dumps({
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
                   f"{platform.release()}, Python {platform.python_version()}, SQLite "
                   f"{sqlite3.sqlite_version}",
        "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
