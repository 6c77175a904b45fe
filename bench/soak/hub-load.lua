-- hub-load.lua: wrk drives wevion-hub with a mix of GET one job (40 %), GET the list (40 %) and
-- POST a generation (20 %); counts answers by class and keeps every job id answered 202.
-- usage: wrk ... -s hub-load.lua URL -- SEED_JOB_ID IDS_FILE

local prefix = "/api/v1/creative-hub/generate"
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  seed_id = args[1]
  ids_file = args[2]
  accepted = {}
  n_accepted = 0
  n_bad = 0
  n_ok = 0
  n = 0
  last_post = false
  wrk.headers["Authorization"] = "Bearer demo-token"
end

function request()
  n = n + 1
  local pick = n % 5
  if pick == 0 then
    last_post = true
    -- headers given here replace wrk.headers: the token goes in again
    return wrk.format("POST", prefix .. "/image",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer demo-token" },
      '{"provider":"sdxl_turbo","prompt":"load ' .. n .. ' [ok]","settings":{"width":64,"height":64}}')
  end
  last_post = false
  if pick == 1 or pick == 3 then
    local id = seed_id
    if n_accepted > 0 then
      id = accepted[n_accepted]
    end
    return wrk.format("GET", prefix .. "/jobs/" .. id)
  end
  return wrk.format("GET", prefix .. "/jobs?limit=20")
end

function response(status, headers, body)
  if status >= 200 and status < 400 then
    n_ok = n_ok + 1
  else
    n_bad = n_bad + 1
  end
  if status == 202 then
    local id = string.match(body, '"job_id"%s*:%s*"([^"]+)"')
    if id then
      n_accepted = n_accepted + 1
      accepted[n_accepted] = id
    end
  end
end

function done(summary, latency, requests)
  -- done() runs in wrk's main Lua state: what init() learnt lives in the threads
  local out = io.open(threads[1]:get("ids_file"), "w")
  local bad, ok, accepted_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    local ids = thread:get("accepted")
    local count = thread:get("n_accepted")
    bad = bad + thread:get("n_bad")
    ok = ok + thread:get("n_ok")
    accepted_total = accepted_total + count
    for i = 1, count do
      out:write(ids[i], "\n")
    end
  end
  out:close()
  io.write(string.format("answers: %d 2xx/3xx, %d other (non-2xx/3xx); %d submits answered 202\n",
    ok, bad, accepted_total))
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d; status errors %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
  io.write(string.format("latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
