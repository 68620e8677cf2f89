-- Shared by the wrk scripts: one machine-readable RESULT line from wrk's done() hook.
-- Latencies are reported in milliseconds; wrk measures them in microseconds.
function report(summary, latency, extra)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d%s\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, extra or ""))
end

-- Lines of a file, skipping empty ones.
function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if #line > 0 then
      lines[#lines + 1] = line
    end
  end
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

-- Threads register themselves here in setup(), so that done() can read their counters.
threads = {}
function register_thread(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end
