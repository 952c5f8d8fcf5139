"""Drive one scenario with wrk: a generated Lua script sets method, headers and bodies,
and prints the summary as JSON for us to read back."""
import json
import subprocess
import tempfile

WRK = "/usr/bin/wrk"
MARK = "BENCH_JSON "

DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""

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
""" + DONE

# A weighted mix: each request draws its kind (cumulative shares), then one of its paths
# at random; a kind's bodies are sent in turn. Threads seed their own random sequence.
MIX_LUA = """
local kinds = %(kinds)s
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
init = function(args)
  math.randomseed(7919 * (thread_number or 1))
end
request = function()
  local draw = math.random()
  local kind = kinds[#kinds]
  for _, candidate in ipairs(kinds) do
    if draw < candidate.upto then kind = candidate break end
  end
  kind.n = kind.n + 1
  local body = nil
  if #kind.bodies > 0 then body = kind.bodies[(kind.n %% #kind.bodies) + 1] end
  return wrk.format(kind.method, kind.paths[math.random(#kind.paths)], kind.headers, body)
end
""" + DONE


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


def mix_script(parts):
    """The Lua script for a mix: `parts` are (share, Scenario with its paths in
    `scenario.paths` or `path`, headers)."""
    total, upto, kinds = sum(share for share, _, _ in parts), 0.0, []
    for share, scenario, headers in parts:
        upto += share / total
        all_headers = {**headers, **({"Content-Type": scenario.content_type}
                                     if scenario.content_type else {})}
        paths = getattr(scenario, "paths", None) or (scenario.path,)
        kinds.append(f"{{upto = {upto!r}, n = 0, method = {lua_string(scenario.method)}, "
                     f"paths = {lua_table(list(paths))}, headers = {lua_table(all_headers)}, "
                     f"bodies = {lua_table(list(scenario.bodies))}}}")
    return MIX_LUA % {"kinds": "{" + ",\n".join(kinds) + "}", "mark": MARK}


def run(base_url, scenario, headers, duration, threads, connections):
    """{"rps", "p50_ms", "p99_ms", "errors", "requests"} for one time-bounded wrk run.

    wrk counts every answer of 400 or more as a (status) error; a scenario that expects
    a 4xx (`scenario.expect`) counts only the others (its 5xx show in the server log)."""
    return _wrk(base_url, script(scenario, headers), duration, threads, connections,
                count_status=not scenario.expect)


def run_mix(base_url, parts, duration, threads, connections):
    """The same figures for a weighted mix of scenarios (see mix_script)."""
    return _wrk(base_url, mix_script(parts), duration, threads, connections)


def _wrk(base_url, lua_text, duration, threads, connections, count_status=True):
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(lua_text)
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
                          if count_status or kind != "status")}
