-- wrk script for bench/login-flood.sh: a flood of wrong-password logins.
--
--   FLOOD_VICTIM=victim@bench.test wrk -t1 -c16 -d15s -s bench/login.lua http://127.0.0.1:PORT
--
-- Every other request guesses the password of FLOOD_VICTIM from one fixed client address
-- (a key the rate limit has already refused after its first attempts); the others guess a
-- random unknown account from a random client address (each a fresh key, so the server
-- spends a bcrypt verification on it). Client addresses travel in X-Forwarded-For (the
-- server runs with LOYALTY_TRUST_PROXY=true, as behind one proxy).
-- At the end it prints the status codes seen and one machine-readable line:
--   LOGINS requests=N duration_us=N
local path = "/api/v1/auth/login"
local victim
local counter = 0

statuses = {}

function init(args)
  victim = os.getenv("FLOOD_VICTIM")
  if victim == nil or victim == "" then error("FLOOD_VICTIM is not set") end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  counter = counter + 1
  local email, client
  if counter % 2 == 0 then
    email, client = victim, "10.99.99.99"
  else
    email = string.format("nobody-%d@bench.test", math.random(1, 1000000000))
    client = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  end
  local headers = { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = client }
  local body = '{"email":"' .. email .. '","password":"wrong-password-123"}'
  return wrk.format("POST", path, headers, body)
end

function response(status, _, _)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, _, _)
  local total = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses") or {}
    for status, count in pairs(seen) do total[status] = (total[status] or 0) + count end
  end
  local codes = {}
  for status, count in pairs(total) do codes[#codes + 1] = status .. ":" .. count end
  table.sort(codes)
  io.write("status codes: ", table.concat(codes, " "), "\n")
  io.write(string.format("LOGINS requests=%d duration_us=%d\n", summary.requests, summary.duration))
end
