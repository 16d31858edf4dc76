-- POST /api/v1/cases/{case_no}/actions {"action": "assign", "handler_id": H} with If-Match,
-- as a handler of the handling unit: each request re-assigns one case in processing to the
-- handler (a legal step from processing to processing), one durable transaction (case row,
-- trace event, audit entry, statistics).
-- The sample file BENCH_SAMPLE_FILE holds "CASE_NO VERSION" lines; BENCH_HANDLER_ID is the
-- handler. The threads take disjoint slices of the sample and walk them round robin, so a
-- case comes round again only after a whole slice of other requests; every 2xx answer carries
-- the case's new version (ETag), which the script keeps for the next request on that case.
-- A 412 (a case still in flight when it came round again) is counted as an error.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

tid = 0      -- set per thread by setup() in common.lua
non2xx = 0   -- read back by done() in common.lua

local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local handler = assert(os.getenv("BENCH_HANDLER_ID"), "BENCH_HANDLER_ID not set")
local body = '{"action":"assign","handler_id":' .. handler .. ',"note":"压力测试改派"}'
local nos, versions, pos = {}, {}, 0

wrk.method = "POST"
wrk.headers["Cookie"] = assert(os.getenv("BENCH_COOKIE"), "BENCH_COOKIE not set")
wrk.headers["X-CSRF-Token"] = assert(os.getenv("BENCH_CSRF"), "BENCH_CSRF not set")
wrk.headers["Content-Type"] = "application/json"

function init(args)
   local name = assert(os.getenv("BENCH_SAMPLE_FILE"), "BENCH_SAMPLE_FILE not set")
   local f = assert(io.open(name, "r"))
   local i = 0
   for line in f:lines() do
      local no, v = line:match("^(%d+)%s+(%d+)")
      if no then
         i = i + 1
         if i % nthreads == tid % nthreads then
            nos[#nos + 1] = no
            versions[no] = v
         end
      end
   end
   f:close()
   assert(#nos > 0, "no cases for thread " .. tid)
end

function request()
   pos = pos % #nos + 1
   local no = nos[pos]
   wrk.headers["If-Match"] = '"' .. versions[no] .. '"'
   return wrk.format(nil, "/api/v1/cases/" .. no .. "/actions", nil, body)
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      return
   end
   local no = body:match('"case_no"%s*:%s*"(%d+)"')
   local v = (headers["ETag"] or headers["etag"] or ""):match("(%d+)")
   if no and v and versions[no] then
      versions[no] = v
   end
end
