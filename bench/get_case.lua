-- GET of one case picked at random per request from a sample of existing cases: the file
-- BENCH_SAMPLE_FILE, one "CASE_NO QUERY_CODE" per line, written by bench/cases.sh from the
-- store before the run. BENCH_MODE selects the request:
--   staff   GET /api/v1/cases/{case_no} with the session cookie BENCH_COOKIE
--   public  GET /api/v1/public/cases/{case_no}?code=QUERY_CODE, no log-in
-- The requests are formatted once, in init(), and the script defines no response(): wrk then
-- neither copies each answer's headers and body into Lua nor calls it, and the load generator,
-- on the same two cores as the server, takes less of them. Errors are counted all the same:
-- wrk counts answers >= 400, and bench/cases.sh reads the server's count of answers outside
-- 2xx for the route from /metrics (every case of the sample exists: each should be 200).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

tid = 0      -- set per thread by setup() in common.lua

local mode = os.getenv("BENCH_MODE") or "staff"
assert(mode == "staff" or mode == "public", "BENCH_MODE must be staff or public")
local paths = {}

do
   local name = assert(os.getenv("BENCH_SAMPLE_FILE"), "BENCH_SAMPLE_FILE not set")
   local f = assert(io.open(name, "r"))
   for line in f:lines() do
      local no, code = line:match("^(%d+)%s+(%d+)")
      if no then
         if mode == "staff" then
            paths[#paths + 1] = "/api/v1/cases/" .. no
         else
            paths[#paths + 1] = "/api/v1/public/cases/" .. no .. "?code=" .. code
         end
      end
   end
   f:close()
   assert(#paths > 0, "the sample file has no cases")
end

if mode == "staff" then
   wrk.headers["Cookie"] = assert(os.getenv("BENCH_COOKIE"), "BENCH_COOKIE not set")
end

local requests = {}

function init(args)
   math.randomseed(os.time() * 100 + tid)
   -- wrk.init has set the Host header by now.
   for i, path in ipairs(paths) do
      requests[i] = wrk.format("GET", path)
   end
end

function request()
   return requests[math.random(#requests)]
end
