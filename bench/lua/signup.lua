-- Sign-up as the storefront does it: POST /auth/customer/emailpass/register with a new e-mail, then
-- POST /store/customers with the registration token. Each iteration is those two requests in sequence.
--
-- Run with ONE connection per thread (wrk -tN -cN): wrk's response() hook does not say which connection a
-- response came from, so the per-thread state below pairs each registration with its own customer creation
-- only when a thread has a single connection.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

setup = register_thread

local pk, run, counter
local email, token       -- the registration in flight on this thread's connection
local expecting          -- "register" or "create": what the next response answers
registered, created, failed = 0, 0, 0

function init(args)
  pk = os.getenv("BENCH_PK")
  run = os.getenv("BENCH_RUN") or tostring(os.time())
  counter = 0
end

function request()
  if token then
    expecting = "create"
    local body = string.format('{"email":"%s","first_name":"Sign","last_name":"Up"}', email)
    local auth = "Bearer " .. token
    token = nil
    return wrk.format("POST", "/store/customers", {
      ["content-type"] = "application/json",
      ["x-publishable-api-key"] = pk,
      ["authorization"] = auth,
    }, body)
  end
  counter = counter + 1
  email = string.format("signup-%s-%d-%d@example.com", run, id, counter)
  expecting = "register"
  return wrk.format("POST", "/auth/customer/emailpass/register", { ["content-type"] = "application/json" },
    string.format('{"email":"%s","password":"Str0ng-%s-%d-%d"}', email, run, id, counter))
end

function response(status, headers, body)
  if expecting == "register" then
    if status == 200 then
      registered = registered + 1
      token = body:match('"token"%s*:%s*"([^"]+)"')
    else
      failed = failed + 1
    end
  elseif expecting == "create" then
    if status == 200 then
      created = created + 1
    else
      failed = failed + 1
    end
  end
end

function done(summary, latency, requests)
  local r, c, f = 0, 0, 0
  for _, thread in ipairs(threads) do
    r = r + thread:get("registered")
    c = c + thread:get("created")
    f = f + thread:get("failed")
  end
  report(summary, latency, string.format(" signups=%d signups_per_sec=%.1f registered=%d failed=%d",
    c, c / (summary.duration / 1e6), r, f))
end
