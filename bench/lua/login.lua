-- POST /auth/customer/emailpass, rotating over the seeded credentials (env BENCH_CREDENTIALS: email<TAB>password).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

setup = register_thread

local bodies, counter

function init(args)
  bodies = {}
  for _, line in ipairs(read_lines(os.getenv("BENCH_CREDENTIALS"))) do
    local email, password = line:match("^([^\t]+)\t(.+)$")
    bodies[#bodies + 1] = string.format('{"email":"%s","password":"%s"}', email, password)
  end
  counter = id * 7919
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/auth/customer/emailpass", { ["content-type"] = "application/json" },
    bodies[counter % #bodies + 1])
end

function done(summary, latency, requests)
  report(summary, latency)
end
