-- wrk script for `make loadtest`: a mix of public pages, then one JSON line of results.
-- The number of demo providers comes after `--` on wrk's command line (default 100000).
local pages = {
  "/providers/",
  "/providers/?service=call-centres&city=karachi",
  "/providers/?service=technical-support&service=data-entry&sort=-founded&page=2",
  "/providers/?kind=local&founded_min=1990&founded_max=2005",
  "/providers/?q=indus",
  "/search/?q=data+solutions",
  "/statistics/",
  "/services/call-centres/karachi/",
}

setup = function(thread)
  thread:set("seed", math.random(1, 1000000))
end

local providers = 100000

init = function(args)
  math.randomseed(seed)
  providers = tonumber(args[1]) or providers
end

request = function()
  local pick = math.random(1, 10)
  local path
  if pick <= 4 then
    path = pages[math.random(1, #pages)]
  elseif pick <= 7 then
    path = string.format("/providers/demo-%06d/", math.random(1, providers))
  else
    local slugs = {}
    local count = math.random(2, 8)
    local start = math.random(1, providers - 10)
    for i = 0, count - 1 do
      slugs[#slugs + 1] = string.format("demo-%06d", start + i)
    end
    path = "/compare/" .. table.concat(slugs, "-vs-") .. "/"
  end
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.1f, "rps": %.1f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f, "non_2xx_3xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
