-- make bench: wrk's result as one JSON line (scripts/bench_common.py reads it), with the
-- responses counted by status class per thread and added up at the end.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, redirected, failed = 0, 0, 0
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif status >= 300 and status < 400 then
    redirected = redirected + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local counts = { ok = 0, redirected = 0, failed = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do
      counts[name] = counts[name] + (thread:get(name) or 0)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "p50_us": %.0f, "p99_us": %.0f, '
      .. '"max_us": %.0f, "ok": %d, "redirected": %d, "failed": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, counts.ok, counts.redirected, counts.failed, errors.connect, errors.read,
    errors.write, errors.timeout))
end
