-- wrk script of `make loadtest LOADTEST_MODE=closed`: every connection sends the logged-in session
-- cookie (WRK_COOKIE) and walks the mixed pages listed one a line in WRK_PATHS, each thread from its
-- own offset. Anything but 200 counts as an error (a 302 would be the login page); done() prints
-- one JSON line with req/s, p50/p95/p99 and the errors, which bench/loadtest.sh reads.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if line ~= "" then
      table.insert(paths, line)
    end
  end
  cookie = os.getenv("WRK_COOKIE") or ""
  counter = (id * 7) % #paths
  errors = 0
end

function request()
  counter = counter % #paths + 1
  local headers = { ["Accept-Encoding"] = "gzip" }
  if cookie ~= "" then
    headers["Cookie"] = cookie
  end
  return wrk.format("GET", paths[counter], headers)
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("errors")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.1f, "requests_per_second": %.1f, "p50_ms": %.1f, ' ..
    '"p95_ms": %.1f, "p99_ms": %.1f, "errors": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    bad, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
