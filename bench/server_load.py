"""What ``bench/server.py`` has wrk send, and what wrk reports back.

The requests of every kind a user may send go to a file, one line each (``Request.line``); one Lua
script, ``MIX_LUA``, reads that file when wrk starts and sends a random kind (by the shares given on
wrk's command line), then a random request of that kind; its ``done`` writes the figures on one
``RESULT`` line, which ``parse_wrk`` reads.
"""

import json
import random
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

STAMP = "@@UPDATED_AT@@"
"""Where a PUT body takes its ``updated_at``, filled in by the Lua script at each send."""
RANGES_PER_USER = 20
"""Random weeks per user for the ``range`` requests."""

# --- the requests -------------------------------------------------------------------------------

MIX_LUA = r"""-- Written by bench/server.py. Arguments: the requests file, then kind=share ...
-- Each line of the file: kind, method, path, token, and for a PUT the body before and after
-- its updated_at, tab-separated. A request is a random kind (by share), then a random line.
local format, random = wrk.format, math.random
local picks = {}
local last_second, tick = 0, 0

local function stamp()
  -- now, with a counter as the fraction so that every write of the run is newer than the last
  local now = os.time()
  if now ~= last_second then last_second, tick = now, 0 else tick = tick + 1 end
  return os.date("!%Y-%m-%dT%H:%M:%S", now) .. string.format(".%06dZ", tick)
end

function init(args)
  math.randomseed(7)
  local shares, total = {}, 0
  for i = 2, #args do
    local kind, share = args[i]:match("^(%w+)=(%d+)$")
    assert(kind, "not kind=share: " .. args[i])
    shares[kind] = tonumber(share)
    total = total + tonumber(share)
  end
  local of = {}
  for line in io.lines(args[1]) do
    local kind, method, path, token, head, tail =
      line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
    assert(kind, "bad line: " .. line)
    if shares[kind] then
      of[kind] = of[kind] or {}
      local list, headers = of[kind], {Authorization = "Bearer " .. token}
      if head == "" then
        list[#list + 1] = format(method, path, headers)
      else
        headers["Content-Type"] = "application/json"
        list[#list + 1] = {method, path, headers, head, tail}
      end
    end
  end
  local sum = 0
  for kind, share in pairs(shares) do
    assert(of[kind], "no requests of the kind " .. kind)
    sum = sum + share / total
    picks[#picks + 1] = {sum, of[kind]}
  end
  picks[#picks][1] = 1.0
end

function request()
  local r, list = random(), nil
  for i = 1, #picks do
    if r <= picks[i][1] then list = picks[i][2] break end
  end
  local req = list[random(#list)]
  if type(req) == "string" then return req end
  return format(req[1], req[2], req[3], req[4] .. stamp() .. req[5])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d"
      .. " p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Request:
    """One request wrk may send; a PUT's body is ``body_head + updated_at + body_tail``."""

    kind: str
    method: str
    path: str
    token: str
    body_head: str = ""
    body_tail: str = ""

    def line(self) -> str:
        fields = (self.kind, self.method, self.path, self.token, self.body_head, self.body_tail)
        if any("\t" in f or "\n" in f for f in fields):
            raise ValueError(f"a tab or newline in a request of {self.kind}: {fields}")
        return "\t".join(fields)

    def body(self, updated_at: str) -> bytes | None:
        return (self.body_head + updated_at + self.body_tail).encode() if self.body_head else None


def requests_of(user: Mapping[str, Any], rng: random.Random, today: date) -> list[Request]:
    """Every request of every kind one user's share of the load may send."""
    token = str(user["token"])
    out = [
        Request("recent", "GET", "/v1/activities?limit=20", token),
        Request("progress", "GET", f"/v1/goals/{user['goal_id']}/progress", token),
    ]
    first = today - timedelta(days=10 * 365)
    for _ in range(RANGES_PER_USER):
        start = first + timedelta(days=rng.randrange((today - first).days - 6))
        end = start + timedelta(days=6)
        path = f"/v1/activities?fromDate={start:%Y%m%d}&toDate={end:%Y%m%d}&limit=20"
        out.append(Request("range", "GET", path, token))
    for activity in user["activities"]:
        path = f"/v1/activities/{activity['id']}"
        out.append(Request("activity", "GET", path, token))
        fields = {k: v for k, v in activity.items() if k != "id"}
        head, tail = json.dumps({**fields, "updated_at": STAMP}).split(STAMP)
        out.append(Request("put", "PUT", path, token, head, tail))
    return out


def write_requests(
    users: Sequence[Mapping[str, Any]], today: date, requests_file: Path, script: Path
) -> list[Request]:
    """The requests file and the Lua script for wrk; the requests, for checking them one by one."""
    rng = random.Random(7)
    requests = [r for user in users for r in requests_of(user, rng, today)]
    requests_file.parent.mkdir(parents=True, exist_ok=True)
    requests_file.write_text("".join(r.line() + "\n" for r in requests))
    script.write_text(MIX_LUA)
    return requests


# --- wrk ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    """What the Lua script's ``done`` reports."""

    requests: int
    seconds: float
    errors: dict[str, int]
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse_wrk(text: str) -> WrkResult:
    """The ``RESULT`` line of wrk's output (written by ``MIX_LUA``'s ``done``)."""
    match = re.search(r"^RESULT (.*)$", text, re.MULTILINE)
    if match is None:
        raise ValueError(f"no RESULT line in wrk's output:\n{text}")
    values = {k: int(v) for k, v in (item.split("=") for item in match[1].split())}
    return WrkResult(
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        errors={k: values[k] for k in ("connect", "read", "write", "status", "timeout")},
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
    )


def run_wrk(
    base: str,
    seconds: int,
    connections: int,
    files: tuple[Path, Path],
    shares: Mapping[str, int],
) -> str:
    """wrk's output, for ``seconds`` with ``connections`` and the given shares of each kind;
    ``files`` are the Lua script and the requests file. wrk is reaped here, so its CPU shows in
    ``os.times()``'s children."""
    script, requests_file = files
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script)]
    args = [str(requests_file), *(f"{k}={v}" for k, v in shares.items())]
    try:
        done = subprocess.run(
            [*cmd, base, "--", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=seconds + 60,
        )
    except subprocess.TimeoutExpired:
        raise SystemExit(f"wrk did not finish within {seconds + 60} s") from None
    text = done.stdout.decode(errors="replace")
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{text}")
    return text
