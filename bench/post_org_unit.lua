-- POST /api/v1/org-units: creates an office under the unit BENCH_PARENT_ID (西田各庄镇),
-- one durable write transaction with its audit-chain append per request. Each request
-- carries the session cookie, the X-CSRF-Token and a name unique across threads and runs:
-- 压测办公室-<BENCH_TAG>-<thread>-<counter>. Counts answers outside 2xx itself.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

tid = 0      -- set per thread by setup() in common.lua
non2xx = 0   -- read back by done() in common.lua

local counter = 0
local tag = os.getenv("BENCH_TAG") or "run"
local parent = assert(tonumber(os.getenv("BENCH_PARENT_ID")), "BENCH_PARENT_ID not set")

wrk.method = "POST"
wrk.headers["Cookie"] = assert(os.getenv("BENCH_COOKIE"), "BENCH_COOKIE not set")
wrk.headers["X-CSRF-Token"] = assert(os.getenv("BENCH_CSRF"), "BENCH_CSRF not set")
wrk.headers["Content-Type"] = "application/json"

function request()
   counter = counter + 1
   local body = string.format(
      '{"name":"压测办公室-%s-%d-%d","kind":"office","parent_id":%d}',
      tag, tid, counter, parent)
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end
