-- GET of one case picked at random per request from a sample of existing cases: the file
-- BENCH_SAMPLE_FILE, one "CASE_NO QUERY_CODE" per line, written by bench/cases.sh from the
-- store before the run. BENCH_MODE selects the request:
--   staff   GET /api/v1/cases/{case_no} with the session cookie BENCH_COOKIE
--   public  GET /api/v1/public/cases/{case_no}?code=QUERY_CODE, no log-in
-- Counts answers outside 2xx itself (every case of the sample exists, so each should be 200).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

tid = 0      -- set per thread by setup() in common.lua
non2xx = 0   -- read back by done() in common.lua

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

function init(args)
   math.randomseed(os.time() * 100 + tid)
end

function request()
   return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end
