-- POST /api/v1/cases with "accept": true, as the window clerk: each request opens and
-- accepts one case in one durable transaction (case row, materials, events, case-number
-- counter, audit entries, notification outbox). The body comes from the file
-- BENCH_BODY_FILE, written by bench/cases.sh from the item's checklist; its "__ID__" is
-- replaced per request by a resident ID number with a random birth date and sequence and
-- its GB 11643 check digit, so applicants differ as at a real window. Carries the session
-- cookie and X-CSRF-Token; counts answers outside 2xx itself.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

tid = 0      -- set per thread by setup() in common.lua
non2xx = 0   -- read back by done() in common.lua

wrk.method = "POST"
wrk.headers["Cookie"] = assert(os.getenv("BENCH_COOKIE"), "BENCH_COOKIE not set")
wrk.headers["X-CSRF-Token"] = assert(os.getenv("BENCH_CSRF"), "BENCH_CSRF not set")
wrk.headers["Content-Type"] = "application/json"

local head, tail
do
   local name = assert(os.getenv("BENCH_BODY_FILE"), "BENCH_BODY_FILE not set")
   local f = assert(io.open(name, "r"))
   local body = f:read("*a")
   f:close()
   head, tail = body:match("^(.-)__ID__(.*)$")
   assert(head, "the body has no __ID__ placeholder")
end

local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local checks = "10X98765432"

-- GB 11643: the 18th character from the weighted sum of the first 17 digits.
local function id_number(first17)
   local s = 0
   for i = 1, 17 do
      s = s + (first17:byte(i) - 48) * weights[i]
   end
   local k = s % 11 + 1
   return first17 .. checks:sub(k, k)
end

function init(args)
   math.randomseed(os.time() * 100 + tid)
end

function request()
   local first17 = string.format("110119%04d%02d%02d%03d", math.random(1940, 2005),
                                 math.random(1, 12), math.random(1, 28), math.random(1, 998))
   return wrk.format(nil, nil, nil, head .. id_number(first17) .. tail)
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
end
