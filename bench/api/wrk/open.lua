-- wrk script for open-loop load at a fixed rate. Arguments (after --):
--   mode   bare | lookup-uniform
--   lo hi  the range of synthetic stone indexes (SYN-<index, 9 digits>)
--   rate   requests per second for this wrk thread (run wrk with -t1)
-- Requests leave on a fixed schedule, one every 1/rate s, whatever the answers: delay() returns
-- the time left until the next slot (0 when the schedule is behind, which then catches up, as
-- wrk2 does). Each connection waits for its answer before it sends again, so the connection
-- count must exceed rate x latency; the runner checks the achieved rate. done() prints one JSON
-- line with p50, p99 and p99.9 in microseconds.

local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } timespec_t;
  int clock_gettime(int clk_id, timespec_t *tp);
]]
local ts = ffi.new("timespec_t")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local mode, lo, n, interval, next_slot

function init(args)
  mode = args[1] or "bare"
  lo = tonumber(args[2] or "1")
  n = tonumber(args[3] or "1") - lo + 1
  interval = 1000 / tonumber(args[4] or "100")
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
end

function delay()
  local now = now_ms()
  if next_slot == nil then next_slot = now end
  next_slot = next_slot + interval
  local wait = next_slot - now
  if wait < 0 then return 0 end
  return math.floor(wait)
end

function request()
  if mode == "bare" then
    return wrk.format("GET", "/v1/bench/bare")
  end
  return wrk.format("GET", string.format("/v1/certificates/SYN-%09d", lo + math.random(0, n - 1)))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,'
      .. '"max_us":%d,"mean_us":%.1f,"errors_connect":%d,"errors_read":%d,"errors_write":%d,'
      .. '"errors_status":%d,"errors_timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
