-- Profile writes over many customers: requests alternate between POST /store/customers/me (a new first_name) and
-- POST /store/customers/me/addresses/<id> (a new city), each customer in turn. Every request is one durable write:
-- grain state, read-model trigger and outbox row in one transaction.
-- Env: BENCH_TOKENS (lines "token<TAB>address id"), BENCH_PK, BENCH_THREADS (the lines are split between threads).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

setup = register_thread

local customers, counter, headers

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
  customers = {}
  for i, line in ipairs(read_lines(os.getenv("BENCH_TOKENS"))) do
    if (i - 1) % nthreads == id then
      local token, address = line:match("^([^\t]+)\t([^\t]+)")
      customers[#customers + 1] = { auth = "Bearer " .. token, address = address }
    end
  end
  headers = { ["x-publishable-api-key"] = os.getenv("BENCH_PK"), ["content-type"] = "application/json" }
  counter = 0
end

function request()
  counter = counter + 1
  local c = customers[(counter - 1) % #customers + 1]
  headers["authorization"] = c.auth
  if counter % 2 == 0 then
    return wrk.format("POST", "/store/customers/me", headers, string.format('{"first_name":"W%d-%d"}', id, counter))
  end
  return wrk.format("POST", "/store/customers/me/addresses/" .. c.address, headers,
    string.format('{"city":"C%d-%d"}', id, counter))
end

function done(summary, latency, requests)
  report(summary, latency)
end
