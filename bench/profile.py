"""`make profile`: where each scenario's time goes, under load.

For each scenario it starts gunicorn (2 workers, as the bench) on a fresh copy of the
small data set, drives the scenario with wrk and records the workers meanwhile with
py-spy (sampling, `--nonblocking` so the server is not paused, `--gil`: only
threads holding the GIL, i.e. CPU spent, not threads waiting for it or for a socket). Writes one flame graph
per scenario, bench/results/profile-<scenario>.svg, and bench/results/profile.json with
the share of the workers' samples spent in each part of a request (read back from the
flame graph's frames), printed as a table.
"""
import argparse
import html
import json
import re
import subprocess
import sys
import threading
from pathlib import Path

from tests.server.harness import GunicornServer

from . import datasets, wrk
from .run import RESULTS, as_browser, form_session, signed_in_headers
from .scenarios import REGISTRAR

PY_SPY = Path(sys.executable).with_name("py-spy")
# A frame's tooltip in py-spy's SVG: "function (file:line) (N samples, x%)".
FRAME = re.compile(r"<title>(.+?) \((\S+?)(?::\d+)?\) \(([\d,]+) samples?, [\d.]+%\)</title>")
ALL = re.compile(r"<title>all \(([\d,]+) samples?")

# What a request's time is spent on: (label, function name, file it must end with).
# Shares are of all samples in the workers (the rest is gunicorn, WSGI and Python).
PARTS = [
    ("whole Flask request", "wsgi_app", "flask/app.py"),
    ("before-request hooks", "preprocess_request", "flask/app.py"),
    ("sign-in lookup (load_user)", "load_user", "webapp/security.py"),
    ("CSRF check", "protect", "flask_wtf/csrf.py"),
    ("view (incl. validation)", "dispatch_request", "flask/app.py"),
    ("spectree validation + view", "sync_validate", "spectree/spec.py"),
    ("templates", "render_template", "flask/templating.py"),
    ("SQL (peewee execute_sql)", "execute_sql", "peewee.py"),
    ("after-request hooks", "process_response", "flask/app.py"),
    ("request log line", "_finish_request", "webapp/request_log.py"),
    ("session cookie save", "save_session", "flask/sessions.py"),
    ("error handler (404)", "handle_user_exception", "flask/app.py"),
    ("teardown", "do_teardown_request", "flask/app.py"),
]


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def shares(svg_text):
    """{label: percent of all samples} from a py-spy flame graph."""
    frames = [(html.unescape(name), path, int(count.replace(",", "")))
              for name, path, count in FRAME.findall(svg_text)]
    found = ALL.search(svg_text)
    total = int(found[1].replace(",", "")) if found else 0
    result = {}
    for label, function, file in PARTS:  # (names come qualified: Flask.wsgi_app)
        samples = sum(count for name, path, count in frames
                      if name.rsplit(".", 1)[-1] == function and path.endswith(file))
        result[label] = round(100 * samples / total, 1) if total else 0.0
    result["samples"] = total
    return result


def profile(server, scenario, headers, seconds, rate, out):
    """Record the server's workers with py-spy while wrk drives `scenario`."""
    recorder = subprocess.Popen(
        [str(PY_SPY), "record", "--pid", str(server.process.pid), "--subprocesses",
         "--nonblocking", "--gil", "--rate", str(rate), "--duration", str(seconds), "--format",
         "flamegraph", "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    load = threading.Thread(target=wrk.run, args=(server.base_url, scenario, headers,
                                                  seconds + 2, 2, 16))
    load.start()
    _, errors = recorder.communicate(timeout=seconds + 60)
    load.join()
    if recorder.returncode:
        raise RuntimeError(f"py-spy failed: {errors}")
    return shares(out.read_text())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="recorded per scenario")
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    args = parser.parse_args(argv)
    url = datasets.working_copy(datasets.SMALL)
    ids = datasets.prepare_student(url)
    from webapp import create_app
    headers = signed_in_headers(create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}))
    found = {}
    RESULTS.mkdir(exist_ok=True)
    with GunicornServer(datasets.DATA_DIR / "profile.log", url, workers=2,
                        env={"ACCESS_LOG": ""}) as server:
        session = form_session(server.base_url, f"/students/{ids['student']}", headers)
        for scenario in (s.fill(**ids) for s in REGISTRAR):
            out = RESULTS / f"profile-{slug(scenario.name)}.svg"
            found[scenario.name] = profile(
                server, scenario, as_browser(scenario, headers, session),
                args.seconds, args.rate, out)
            print(f"{scenario.name}: {out}", flush=True)
    (RESULTS / "profile.json").write_text(json.dumps(found, indent=2) + "\n")
    names = list(found)
    print(f"\n{'% of worker samples':28}" + "".join(f"{n[:14]:>15}" for n in names))
    for label, *_ in PARTS:
        print(f"{label:28}" + "".join(f"{found[n][label]:15.1f}" for n in names))
    print(f"{'samples':28}" + "".join(f"{found[n]['samples']:15d}" for n in names))


if __name__ == "__main__":
    main()
