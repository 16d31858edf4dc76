-- Shared by every bench/*.lua script (loaded with dofile; wrk runs one script per thread
-- and once more in its main state). Numbers each thread, and at the end prints one
-- machine-readable line that bench/run.sh parses:
--   BENCH_RESULT requests=N duration_us=D rps=R p50_us=A p99_us=B status_errors=S
--                connect=C read=R write=W timeout=T non2xx=X
-- status_errors is wrk's own count of answers with status >= 400; non2xx is counted only by
-- scripts that define response() (-1 otherwise: run.sh then takes the server's /metrics).

local threads = {}
local next_tid = 0

function setup(thread)
   next_tid = next_tid + 1
   thread:set("tid", next_tid)
   table.insert(threads, thread)
end

function done(summary, latency, requests)
   local non2xx = -1
   for _, t in ipairs(threads) do
      local n = t:get("non2xx")
      if n ~= nil then
         if non2xx < 0 then non2xx = 0 end
         non2xx = non2xx + n
      end
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d " ..
      "status_errors=%d connect=%d read=%d write=%d timeout=%d non2xx=%d\n",
      summary.requests, summary.duration, summary.requests / secs,
      latency:percentile(50), latency:percentile(99),
      e.status, e.connect, e.read, e.write, e.timeout, non2xx))
end
