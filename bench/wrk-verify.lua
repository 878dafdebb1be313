-- wrk script: MCPS revocation checks (GET {issuer}/api/verify/{passport}) for passports picked
-- at random among the ones herald-bench-seed wrote (asp_ + the index as 32 hex digits), so the
-- store's passport lookups and the lifecycle book's agent lookups are spread over all agents.
--
-- Environment:
--   VERIFY_BASE   the path up to and including "/api/verify/"
--   PASSPORTS     how many passports were seeded (indexes 0 .. PASSPORTS-1)
--   EXPECT        a substring every 200 body must contain (e.g. "status":"VALID")
local base   = assert(os.getenv("VERIFY_BASE"), "VERIFY_BASE is not set")
local count  = assert(tonumber(os.getenv("PASSPORTS")), "PASSPORTS is not a number")
local expect = assert(os.getenv("EXPECT"), "EXPECT is not set")

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  return wrk.format("GET", base .. string.format("asp_%032x", math.random(0, count - 1)))
end

non200, unexpected, first_bad = 0, 0, ""
function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_bad == "" then first_bad = status .. " " .. body:sub(1, 300):gsub("[\r\n]", " ") end
  elseif not body:find(expect, 1, true) then
    unexpected = unexpected + 1
    if first_bad == "" then first_bad = "200 " .. body:sub(1, 300):gsub("[\r\n]", " ") end
  end
end

local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local bad, un, first = 0, 0, ""
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non200") or 0); un = un + (t:get("unexpected") or 0)
    if first == "" then first = t:get("first_bad") or "" end
  end
  io.write(string.format("lua: non-200 responses=%d, 200-without-expected=%d\n", bad, un))
  if first ~= "" then io.write("lua: first bad response: " .. first .. "\n") end
end
