-- wrk script: counts every response whose status is not 200 (wrk itself only counts >= 400)
-- and prints one machine-readable line for topics.sh:
--   BENCH rps=<req/s> p50=<ms> p99=<ms> requests=<n> non200=<n> sockerr=<n>
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
end

function response(status, headers, body)
  if status ~= 200 then
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
