-- wrk script for bench/stamps.sh: every request stamps a random card of the list.
--
--   STAMP_CARDS=cards.txt STAMP_TOKEN=... STAMP_STORE=... STAMP_PIN=4826 \
--     wrk -t2 -c32 -d15s --latency -s bench/stamp.lua http://127.0.0.1:PORT
--
-- STAMP_CARDS: a file with one card number per line (digits, spaces are fine).
-- STAMP_PIN: one staff PIN, or several separated by commas (each request picks one at random).
-- At the end it prints the status codes seen and one machine-readable line:
--   STAMPS requests=N duration_us=N non2xx=N socket_errors=N p50_us=N p99_us=N

local path = "/api/v1/store/loyalty/stamp"
local cards = {}
local headers = {}
local pins = {}

local function env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then error(name .. " is not set") end
  return value
end

-- Per-thread state (each wrk thread has its own Lua state).
statuses = {}

function init(args)
  for line in io.lines(env("STAMP_CARDS")) do
    local digits = line:gsub("%s", "")
    if digits ~= "" then cards[#cards + 1] = digits end
  end
  if #cards == 0 then error("no cards in " .. env("STAMP_CARDS")) end
  headers["Authorization"] = "Bearer " .. env("STAMP_TOKEN")
  headers["X-Store-Id"] = env("STAMP_STORE")
  headers["Content-Type"] = "application/json"
  for pin in env("STAMP_PIN"):gmatch("[^,]+") do pins[#pins + 1] = pin end
  -- Different sequences per thread.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  local card = cards[math.random(#cards)]
  local pin = pins[math.random(#pins)]
  local body = '{"card_number":"' .. card .. '","staff_pin":"' .. pin .. '"}'
  return wrk.format("POST", path, headers, body)
end

function response(status, _, _)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, _)
  local total = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses") or {}
    for status, count in pairs(seen) do total[status] = (total[status] or 0) + count end
  end
  local codes, non2xx = {}, 0
  for status, count in pairs(total) do
    codes[#codes + 1] = status .. ":" .. count
    if status < 200 or status > 299 then non2xx = non2xx + count end
  end
  table.sort(codes)
  io.write("status codes: ", table.concat(codes, " "), "\n")
  local e = summary.errors
  io.write(string.format(
    "STAMPS requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, non2xx, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
