-- wrk reporter: one JSON line with latency percentiles (ms), throughput and error counts.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"p50": %.3f, "p95": %.3f, "rps": %.1f, "requests": %d, "non_2xx_3xx": %d, "socket_errors": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.requests / (summary.duration / 1e6), summary.requests, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
