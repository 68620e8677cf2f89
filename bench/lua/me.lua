-- GET /store/customers/me, rotating over the seeded customer tokens (env BENCH_TOKENS, BENCH_PK).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

setup = register_thread

local requests, counter

-- The requests are formatted once here: formatting per request costs wrk more CPU than the server spends on it,
-- and on a 2-core machine wrk and the server share the cores.
function init(args)
  local pk = os.getenv("BENCH_PK")
  requests = {}
  for i, token in ipairs(read_lines(os.getenv("BENCH_TOKENS"))) do
    requests[i] = wrk.format("GET", "/store/customers/me", {
      ["x-publishable-api-key"] = pk,
      ["authorization"] = "Bearer " .. token,
    })
  end
  counter = id * 7919 -- threads start at different places in the list
end

function request()
  counter = counter + 1
  return requests[counter % #requests + 1]
end

function done(summary, latency, requests)
  report(summary, latency)
end
