-- wrk script: a JSON POST with a fixed Authorization header (passport issuance, MCP gate).
--
-- Environment:
--   AUTH_HEADER   the whole Authorization value ("Bearer …" or "Basic …")
--   BODY          the JSON body
--   EXPECT        a substring every 200 body must contain
local auth   = assert(os.getenv("AUTH_HEADER"), "AUTH_HEADER is not set")
local expect = assert(os.getenv("EXPECT"), "EXPECT is not set")

wrk.method = "POST"
wrk.body   = assert(os.getenv("BODY"), "BODY is not set")
wrk.headers["Content-Type"]  = "application/json"
wrk.headers["Authorization"] = auth

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
