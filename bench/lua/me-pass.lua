-- GET /store/customers/me over a token list split between wrk's threads (thread i takes lines i, i+T, i+2T, ...),
-- so that one pass of all threads asks for every customer exactly once. BENCH_PASSES > 0 stops each thread after
-- that many passes over its share (a cold pass activates every customer once; see run_pass in lib.sh); 0 runs until
-- wrk's -d ends.
-- Env: BENCH_TOKENS (a token per line, extra tab-separated columns ignored), BENCH_PK, BENCH_THREADS, BENCH_PASSES.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

setup = register_thread

local requests, counter, limit

function init(args)
  local pk = os.getenv("BENCH_PK")
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
  requests = {}
  for i, line in ipairs(read_lines(os.getenv("BENCH_TOKENS"))) do
    if (i - 1) % nthreads == id then
      local token = line:match("^[^\t]+")
      requests[#requests + 1] = wrk.format("GET", "/store/customers/me", {
        ["x-publishable-api-key"] = pk,
        ["authorization"] = "Bearer " .. token,
      })
    end
  end
  counter = 0
  limit = tonumber(os.getenv("BENCH_PASSES") or "0") * #requests
end

function request()
  counter = counter + 1
  return requests[(counter - 1) % #requests + 1]
end

-- wrk runs for its -d whatever the threads do, so a finished thread says so in a file (BENCH_DONE_DIR/<thread>)
-- and the caller stops wrk with SIGINT, on which it reports as usual.
local finished = false
function response(status, headers, body)
  if limit > 0 and counter >= limit and not finished then
    finished = true
    local f = io.open(os.getenv("BENCH_DONE_DIR") .. "/thread-" .. id, "w")
    f:write("done\n")
    f:close()
  end
end

function done(summary, latency, requests)
  report(summary, latency)
end
