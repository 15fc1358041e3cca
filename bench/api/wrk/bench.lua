-- wrk script for the API benchmark. Arguments (after --):
--   mode   bare | lookup-uniform | lookup-zipf | screen
--   lo hi  the range of synthetic stone indexes (SYN-<index, 9 digits>)
--   header optional extra request header, "Name: value" (the caller's identity for writes)
-- lookup-zipf: 20 % of the stones (every fifth index, spread over the key space) take 80 % of
-- the lookups; the other 80 % of the stones share the remaining 20 % uniformly.
-- done() prints one JSON line with throughput, latency percentiles and errors.

local mode, lo, hi, n, hot_n, cold_n
local headers = {}
local screen_items = 10
local policy = '{"block_kp":["fail"],"review_kp":["insufficient_evidence"],'
  .. '"block_csc":["red_flag"],"review_csc":["elevated_risk","insufficient_provenance"],'
  .. '"block_sanctions":true,"unknown":"review"}'

function init(args)
  mode = args[1] or "bare"
  lo = tonumber(args[2] or "1")
  hi = tonumber(args[3] or "1")
  n = hi - lo + 1
  hot_n = math.floor((n + 4) / 5)
  cold_n = n - hot_n
  if args[4] and args[4] ~= "" then
    local name, value = args[4]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  if mode == "screen" then
    headers["Content-Type"] = "application/json"
  end
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
end

local function uniform()
  return lo + math.random(0, n - 1)
end

local function skewed()
  if math.random() < 0.8 then
    return lo + 5 * math.random(0, hot_n - 1)
  end
  local j = math.random(0, cold_n - 1)
  local index = lo + 5 * math.floor(j / 4) + (j % 4) + 1
  if index > hi then return uniform() end
  return index
end

local function number(index)
  return string.format("SYN-%09d", index)
end

function request()
  if mode == "bare" then
    return wrk.format("GET", "/v1/bench/bare", headers)
  elseif mode == "lookup-uniform" then
    return wrk.format("GET", "/v1/certificates/" .. number(uniform()), headers)
  elseif mode == "lookup-zipf" then
    return wrk.format("GET", "/v1/certificates/" .. number(skewed()), headers)
  elseif mode == "screen" then
    local items = {}
    for i = 1, screen_items do
      items[i] = '"' .. number(uniform()) .. '"'
    end
    local body = '{"items":[' .. table.concat(items, ",") .. '],"policy":' .. policy .. '}'
    return wrk.format("POST", "/v1/checkout/screenings", headers, body)
  end
  error("unknown mode " .. tostring(mode))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
      .. '"mean_us":%.1f,"max_us":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,'
      .. '"errors_status":%d,"errors_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
