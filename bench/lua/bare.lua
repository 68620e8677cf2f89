-- GET /bare on bench/BareGrainHost: the reference for lua/me.lua (same request shape and headers' size).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

setup = register_thread

local requests, counter

function init(args)
  local pk = os.getenv("BENCH_PK")
  requests = {}
  for i, token in ipairs(read_lines(os.getenv("BENCH_TOKENS"))) do
    requests[i] = wrk.format("GET", "/bare", {
      ["x-publishable-api-key"] = pk,
      ["authorization"] = "Bearer " .. token,
    })
  end
  counter = id * 7919
end

function request()
  counter = counter + 1
  return requests[counter % #requests + 1]
end

function done(summary, latency, requests)
  report(summary, latency)
end
