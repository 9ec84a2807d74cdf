-- wrk script: CIBA poll flows (backchannel request, then token request) or backchannel requests
-- alone, against any CIBA server whose approval happens inside the backchannel request.
--   wrk -t N -c N -s ciba.lua URL -- <flow|backchannel> <backchannel path> <token path> <Authorization>
-- Run with as many threads as connections (-t = -c): wrk calls request() per thread, not per
-- connection, so one connection per thread is what lets a thread keep its flow's auth_req_id.
local mode, backchannel_path, token_path, authorization
local pending            -- this thread's auth_req_id awaiting its token request
-- Globals, not locals: done() reads them from each thread with thread:get().
flows, errors, retries = 0, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  mode, backchannel_path, token_path, authorization = args[1], args[2], args[3], args[4]
  if mode ~= "flow" and mode ~= "backchannel" then error("mode must be flow or backchannel") end
  wrk.headers["Authorization"] = authorization
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local backchannel_body = "scope=openid&login_hint=alice"

function request()
  if pending then
    return wrk.format("POST", token_path, nil,
      "grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba&auth_req_id=" .. pending)
  end
  return wrk.format("POST", backchannel_path, nil, backchannel_body)
end

function response(status, headers, body)
  if pending then
    if status == 200 and body:find('"access_token"', 1, true) then
      flows = flows + 1
      pending = nil
    elseif body:find("authorization_pending", 1, true) or body:find("slow_down", 1, true) then
      retries = retries + 1 -- retried at once, like the node load generator
    else
      errors = errors + 1
      pending = nil
    end
    return
  end
  if status ~= 200 then
    errors = errors + 1
    return
  end
  if mode == "flow" then
    local id = body:match('"auth_req_id"%s*:%s*"([^"]+)"')
    if id then pending = id else errors = errors + 1 end
  else
    flows = flows + 1
  end
end

function done(summary, latency, requests)
  local f, e, r = 0, 0, 0
  for _, thread in ipairs(threads) do
    f = f + thread:get("flows")
    e = e + thread:get("errors")
    r = r + thread:get("retries")
  end
  io.write(string.format(
    'WRK-RESULT {"completed":%d,"errors":%d,"retries":%d,"requests":%d,"seconds":%.3f,' ..
    '"socketErrors":%d,"p50Ms":%.3f,"p99Ms":%.3f}\n',
    f, e, r, summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
