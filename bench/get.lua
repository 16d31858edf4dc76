-- GET of the URL given to wrk, with the session cookie from BENCH_COOKIE when set
-- (unset for /healthz). The request is built once (no request() function), so wrk spends
-- as little as it can per request.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local cookie = os.getenv("BENCH_COOKIE")
if cookie ~= nil and cookie ~= "" then
   wrk.headers["Cookie"] = cookie
end
