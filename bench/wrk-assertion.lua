-- wrk script: OAuth2 client_credentials token requests authenticated with private_key_jwt
-- (RFC 7523), one pre-generated client assertion per request, each sent at most once
-- (the server rejects a replayed jti, so re-sending one would measure error responses).
--
-- Environment:
--   ASSERTIONS_FILE      file with one compact JWT per line (bench/gen_assertions.py)
--   WRK_THREADS          the -t value given to wrk (every thread takes every WRK_THREADS-th line)
--   ASSERTION_CLIENT_ID  client_id form field (default ledger-agent)
--   SCOPE                optional scope form field (omitted when unset or empty)
--
-- When a thread runs out of assertions it stops (wrk.thread:stop()) and `exhausted` is reported:
-- the measured rate is then a lower bound, so generate more (bench.sh sizes the file from
-- ASSERTION_RATE x duration). Counts non-200 answers like the peer's wrk-token.lua.

local file      = os.getenv("ASSERTIONS_FILE")
local client_id = os.getenv("ASSERTION_CLIENT_ID") or "ledger-agent"
local scope     = os.getenv("SCOPE") or ""

-- setup() runs in the main Lua state once per thread, before that thread's init():
-- hand out thread ids 0..n-1 and the stride (the number of threads).
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  thread:set("stride", tonumber(os.getenv("WRK_THREADS") or "1"))
  next_id = next_id + 1
end

local prefix = "grant_type=client_credentials"
  .. (scope ~= "" and ("&scope=" .. scope:gsub(" ", "+")) or "")
  .. "&client_id=" .. client_id
  .. "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
  .. "&client_assertion="
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

local assertions, count, pos = {}, 0, 0
-- globals, read by done() through thread:get()
sent, loaded, non200, no_token, exhausted, first_bad = 0, 0, 0, 0, 0, ""

function init(args)
  assert(file, "ASSERTIONS_FILE is not set")
  local fh = assert(io.open(file, "r"))
  local i = 0
  for line in fh:lines() do
    if line ~= "" then
      if i % stride == tid then count = count + 1; assertions[count] = line end
      i = i + 1
    end
  end
  fh:close()
  loaded = count
end

function request()
  pos = pos + 1
  if pos > count then
    if exhausted == 0 then exhausted = 1; wrk.thread:stop() end
    -- must return something: a harmless GET that is not a token request (not counted below)
    return wrk.format("GET", "/health/live")
  end
  sent = sent + 1
  local a = assertions[pos]
  assertions[pos] = nil   -- sent once, never again
  return wrk.format("POST", nil, headers, prefix .. a)
end

function response(status, headers, body)
  if exhausted == 1 then return end
  if status ~= 200 then
    non200 = non200 + 1
    if first_bad == "" then first_bad = status .. " " .. body:sub(1, 300):gsub("[\r\n]", " ") end
  elseif not body:find('"access_token"', 1, true) then no_token = no_token + 1 end
end

local threads = {}
local _setup = setup
function setup(thread) _setup(thread); table.insert(threads, thread) end

function done(summary, latency, requests)
  local s, l, bad, nt, ex, first = 0, 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    s = s + (t:get("sent") or 0); l = l + (t:get("loaded") or 0)
    bad = bad + (t:get("non200") or 0); nt = nt + (t:get("no_token") or 0)
    ex = ex + (t:get("exhausted") or 0)
    if first == "" then first = t:get("first_bad") or "" end
  end
  io.write(string.format("lua: non-200 responses=%d, 200-without-access_token=%d\n", bad, nt))
  if first ~= "" then io.write("lua: first non-200 response: " .. first .. "\n") end
  io.write(string.format("lua: assertions loaded=%d sent=%d threads_exhausted=%d\n", l, s, ex))
end
