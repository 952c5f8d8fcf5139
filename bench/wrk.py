"""Drive one scenario with wrk: a generated Lua script sets method, headers and bodies,
and prints the summary as JSON for us to read back."""
import json
import subprocess
import tempfile

WRK = "/usr/bin/wrk"
MARK = "BENCH_JSON "

LUA = """
local method, path = %(method)s, %(path)s
local headers = %(headers)s
local bodies = %(bodies)s
local n = 0
request = function()
  n = n + 1
  local body = nil
  if #bodies > 0 then body = bodies[(n %% #bodies) + 1] end
  return wrk.format(method, path, headers, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def lua_string(text):
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def lua_table(mapping_or_list):
    if isinstance(mapping_or_list, dict):
        items = [f"[{lua_string(k)}] = {lua_string(v)}" for k, v in mapping_or_list.items()]
    else:
        items = [lua_string(v) for v in mapping_or_list]
    return "{" + ", ".join(items) + "}"


def script(scenario, headers):
    """The Lua script for `scenario` with extra `headers` (auth, CSRF, cookies)."""
    all_headers = dict(headers)
    if scenario.content_type:
        all_headers["Content-Type"] = scenario.content_type
    return LUA % {"method": lua_string(scenario.method), "path": lua_string(scenario.path),
                  "headers": lua_table(all_headers), "bodies": lua_table(list(scenario.bodies)),
                  "mark": MARK}


def run(base_url, scenario, headers, duration, threads, connections):
    """{"rps", "p50_ms", "p99_ms", "errors", "requests"} for one time-bounded wrk run.

    wrk counts every answer of 400 or more as a (status) error; a scenario that expects
    a 4xx (`scenario.expect`) counts only the others (its 5xx show in the server log)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script(scenario, headers))
        lua.flush()
        out = subprocess.run([WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s",
                              "--timeout", "10s", "-s", lua.name, base_url],
                             capture_output=True, text=True, timeout=duration + 60, check=True)
    line = next(line for line in out.stdout.splitlines() if line.startswith(MARK))
    summary = json.loads(line[len(MARK):])
    seconds = summary["duration_us"] / 1e6
    return {"requests": summary["requests"],
            "rps": round(summary["requests"] / seconds, 1),
            "p50_ms": round(summary["p50_us"] / 1000, 2),
            "p99_ms": round(summary["p99_us"] / 1000, 2),
            "errors": sum(count for kind, count in summary["errors"].items()
                          if not (scenario.expect and kind == "status"))}
