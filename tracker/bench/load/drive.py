"""Driving the app with wrk: a route read over and over, votes (each a first vote, by a Lua
script), and reads mixed with writes (a Lua script that times each kind apart)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
from datetime import date, timedelta
from typing import Any

import httpx

# Seconds of load before each measurement, not counted: every pooled connection prepares its
# statements on first use, which would otherwise land in the measured tail.
WARM_UP = 2
# e.g. ["taskset", "-c", "1"]: wrk on a core of its own (--wrk-cpu), so that it does not take
# turns with the app on every core
PIN: list[str] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(
    url: str,
    cookie: str,
    duration: int,
    connections: int,
    script: str | None = None,
    threads: int = 2,
) -> dict[str, Any]:
    command = [*PIN, "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    requests = re.search(r"(\d+) requests in", out)
    return {
        "rps": rps,
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": errors,
        "requests": float(requests.group(1)) if requests else 0.0,
        "output": out,
    }


def _script(text: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(text)
    return script.name


def csrf_token(base: str) -> str:
    return str(httpx.get(f"{base}/login").cookies["csrftoken"])


VOTE_SCRIPT = """
-- Each request votes on the next open review of this thread's share (a vote cannot be replayed).
local votes = {%s}
local csrf = "%s"
local counter, threads = 0, %d
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  position = tonumber(wrk.thread:get("id"))
end
function request()
  local vote = votes[position]
  if vote == nil then
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  position = position + threads
  return wrk.format("POST", vote[2], {
    ["Cookie"] = vote[1] .. "; csrftoken=" .. csrf,
    ["x-csrftoken"] = csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, vote[3])
end
"""


def vote_load(base: str, votes: list[list[Any]], duration: int, connections: int) -> dict[str, Any]:
    """Votes (score every criterion 4, vote Go), each on another open review, driven by wrk
    with a Lua script; the first is cast with httpx to read the query count."""
    csrf = csrf_token(base)

    def body(criteria: list[int]) -> str:
        return "&".join(f"score_{c}=4" for c in criteria) + "&vote=go"

    cookie, path, criteria = votes[0]
    first = httpx.post(
        f"{base}{path}",
        content=body(criteria),
        headers={
            "Cookie": f"{cookie}; csrftoken={csrf}",
            "x-csrftoken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert first.status_code == 303, (first.status_code, first.text[-500:])

    def script_of(share: list[list[Any]]) -> str:
        entries = ",".join(f'{{"{c}","{p}","{body(k)}"}}' for c, p, k in share)
        return _script(VOTE_SCRIPT % (entries, csrf, 2))

    # the warm-up votes on reviews of its own, so that the measured votes are all first votes
    warm_up_share = len(votes) // 5
    measured = votes[1 : len(votes) - warm_up_share]
    scripts = [script_of(votes[len(votes) - warm_up_share :]), script_of(measured)]
    try:
        wrk(base + "/", "", WARM_UP, connections, script=scripts[0])  # not counted
        result = wrk(base + "/", "", duration, connections, script=scripts[1])
    finally:
        for name in scripts:
            os.unlink(name)
    result["count"] = int(result["requests"])
    result["queries"] = first.headers.get("x-query-count", "?")
    if result["count"] >= len(measured):
        print("  (every seeded vote was cast before the time was up: add VOTERS)")
    return result


# One connection per wrk thread, so that a request and its response are timed by the thread
# that sent it (wrk's own figures mix both kinds). Each connection reads its organisation's
# board and, after every `every` reads, records a KPI measurement past the KPI's alert
# threshold on a day of its own: the write of a real person, which raises an alert and so
# changes what the board shows.
MIXED_SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *t);
]]
local clock = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local connections = {%s}
local csrf, every = "%s", %d
local counter, all = 0, {}
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(all, thread)
end
function init(args)
  me = connections[tonumber(wrk.thread:get("id"))]
  reads, writes, failed, n, written, started, kind = {}, {}, 0, 0, 0, 0, "r"
end
function request()
  n = n + 1
  local headers = {["Cookie"] = me[1] .. "; csrftoken=" .. csrf}
  if every > 0 and n %% (every + 1) == 0 then
    written = written + 1
    local write = me[3][written]
    if write == nil then
      wrk.thread:stop()
      return wrk.format("GET", me[2], headers)
    end
    kind = "w"
    headers["x-csrftoken"] = csrf
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = now()
    return wrk.format("POST", write[1], headers, write[2])
  end
  kind = "r"
  started = now()
  return wrk.format("GET", me[2], headers)
end
function response(status, headers, body)
  local took = now() - started
  if kind == "w" then
    table.insert(writes, took)
    if status ~= 303 then failed = failed + 1 end
  else
    table.insert(reads, took)
    if status ~= 200 then failed = failed + 1 end
  end
end
local function pct(values, p)
  if #values == 0 then return 0 end
  table.sort(values)
  return values[math.max(1, math.ceil(#values * p))]
end
function done(summary, latency, requests)
  local r, w, f = {}, {}, 0
  for _, thread in ipairs(all) do
    for _, v in ipairs(thread:get("reads")) do table.insert(r, v) end
    for _, v in ipairs(thread:get("writes")) do table.insert(w, v) end
    f = f + thread:get("failed")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("MIXED reads %%d %%.1f %%.1f writes %%d %%.1f %%.1f failed %%d seconds %%.2f\\n",
    #r, pct(r, 0.5), pct(r, 0.99), #w, pct(w, 0.5), pct(w, 0.99), f, seconds))
end
"""


def _writes(share: list[int], slug: str, start: int, count: int) -> list[tuple[str, str]]:
    """``count`` measurements past the threshold, each on a (KPI, day) no other has: days
    1..364 back that are not multiples of 7 (the seed's weekly measurements)."""
    today = date.today()
    days = [d for d in range(1, 365) if d % 7]
    out = []
    for i in range(count):
        kpi = share[(start + i) % len(share)]
        day = days[((start + i) // len(share)) % len(days)]
        when = (today - timedelta(days=day)).isoformat()
        out.append((f"/o/{slug}/kpis/{kpi}/measurements", f"measured_on={when}&value=9"))
    return out


def mixed_load(
    base: str,
    orgs: list[dict[str, Any]],
    every: int,
    duration: int,
    connections: int,
    offset: int = 0,
) -> dict[str, Any]:
    """Board reads with one write per ``every`` reads on each connection, each connection in an
    organisation (connection k in organisation k mod orgs, on KPIs no other connection
    writes). Writes per connection are planned for 2,000 reads a second; a connection that runs
    out stops early. ``offset``: writes per connection planned by earlier runs on the same data
    (their ``planned``), skipped."""
    csrf = csrf_token(base)
    per_connection = max(20, duration * 2000 // max(every, 1) // connections)
    entries = []
    for k in range(connections):
        org = orgs[k % len(orgs)]
        share = org["kpis"][k // len(orgs) :: max(1, -(-connections // len(orgs)))]
        planned = _writes(share, org["slug"], offset, per_connection)
        listed = ",".join(f'{{"{p}","{b}"}}' for p, b in planned)
        entries.append(f'{{"{org["cookie"]}","{org["board"]}",{{{listed}}}}}')
    script = _script(MIXED_SCRIPT % (",".join(entries), csrf, every))
    try:
        result = wrk(base + "/", "", duration, connections, script=script, threads=connections)
    finally:
        os.unlink(script)
    match = re.search(
        r"MIXED reads (\d+) ([\d.]+) ([\d.]+) writes (\d+) ([\d.]+) ([\d.]+) failed (\d+) "
        r"seconds ([\d.]+)",
        result["output"],
    )
    assert match, result["output"][-2000:]
    reads, r50, r99, writes, w50, w99, failed, seconds = match.groups()
    return {
        "rps": int(reads) / float(seconds),
        "p50": float(r50),
        "p99": float(r99),
        "writes": int(writes),
        "write_rps": int(writes) / float(seconds),
        "write_p50": float(w50),
        "write_p99": float(w99),
        "errors": max(int(failed), int(result["errors"])),
        "planned": per_connection,
    }
