-- wrk script of the city benchmark's vote POST: every request is a different voter (a line of
-- VOTERS_FILE: "Cookie header<TAB>CSRF token"), posting the ballot form body VOTE_BODY. A 302/303
-- (the redirect after a recorded ballot) is a success; anything else counts as non200. Each
-- thread takes its own slice of voters and stops when its slice is used up, so nobody votes twice.
-- Prints the same BENCH line as report.lua.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  voters = {}
  local all = {}
  for line in io.lines(os.getenv("VOTERS_FILE")) do
    local cookie, token = line:match("^(.-)\t(.*)$")
    table.insert(all, { cookie, token })
  end
  local n = tonumber(os.getenv("WRK_THREADS") or "1")
  for i = id + 1, #all, n do
    table.insert(voters, all[i])
  end
  next_voter = 1
  body_base = os.getenv("VOTE_BODY")
end

function request()
  local voter = voters[next_voter]
  if voter == nil then
    wrk.thread:stop()
    voter = voters[#voters]
  end
  next_voter = next_voter + 1
  local headers = {
    ["Cookie"] = voter[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", nil, headers, body_base .. "&csrf_token=" .. voter[2])
end

function response(status, headers, body)
  if status ~= 302 and status ~= 303 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non200")
  end
  local e = summary.errors
  local sockerr = e.connect + e.read + e.write + e.timeout
  io.write(string.format("BENCH rps=%.1f p50=%.1f p99=%.1f requests=%d non200=%d sockerr=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, bad, sockerr))
end
