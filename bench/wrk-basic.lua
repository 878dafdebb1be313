-- wrk script: OAuth2 client_credentials token request with client_secret_basic (HTTP Basic).
-- Same request as the peer's ../shared/bench/peer/wrk-token.lua, except that the scope
-- parameter is optional (Herald's demo clients get their scopes from their trust level).
--
-- Environment:
--   BASIC_AUTH   base64(client_id ":" client_secret)  (bench.sh computes it)
--   SCOPE        optional scope form field (omitted when unset or empty)
local auth  = assert(os.getenv("BASIC_AUTH"), "BASIC_AUTH is not set")
local scope = os.getenv("SCOPE") or ""

wrk.method = "POST"
wrk.body   = "grant_type=client_credentials" .. (scope ~= "" and ("&scope=" .. scope:gsub(" ", "+")) or "")
wrk.headers["Content-Type"]  = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. auth

-- count non-200 answers and check that 200 bodies carry an access_token
non200, no_token, first_bad = 0, 0, ""   -- globals so done() can read them via thread:get()
function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_bad == "" then first_bad = status .. " " .. body:sub(1, 300):gsub("[\r\n]", " ") end
  elseif not body:find('"access_token"', 1, true) then no_token = no_token + 1 end
end

local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local bad, nt, first = 0, 0, ""
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non200") or 0); nt = nt + (t:get("no_token") or 0)
    if first == "" then first = t:get("first_bad") or "" end
  end
  io.write(string.format("lua: non-200 responses=%d, 200-without-access_token=%d\n", bad, nt))
  if first ~= "" then io.write("lua: first non-200 response: " .. first .. "\n") end
end
