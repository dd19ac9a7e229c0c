-- POST a referral with a fresh Idempotency-Key per request.
local counter = 0
local thread_id = 0
local body = os.getenv("BENCH_BODY")
local token = os.getenv("TOKEN")

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
end

function request()
  counter = counter + 1
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", id, counter, math.random(1, 1000000000)),
  }
  return wrk.format("POST", "/api/v1/referrals", headers, body)
end
