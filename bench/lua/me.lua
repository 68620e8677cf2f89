-- GET /store/customers/me, rotating over the seeded customer tokens (env BENCH_TOKENS, BENCH_PK).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

setup = register_thread

local tokens, pk, counter

function init(args)
  tokens = read_lines(os.getenv("BENCH_TOKENS"))
  pk = os.getenv("BENCH_PK")
  counter = id * 7919 -- threads start at different places in the list
end

function request()
  counter = counter + 1
  return wrk.format("GET", "/store/customers/me", {
    ["x-publishable-api-key"] = pk,
    ["authorization"] = "Bearer " .. tokens[counter % #tokens + 1],
  })
end

function done(summary, latency, requests)
  report(summary, latency)
end
