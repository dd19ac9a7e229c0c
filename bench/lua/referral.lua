-- POST a referral with a fresh Idempotency-Key per request. Each thread's keys
-- start with random bytes of its own: wrk's random numbers repeat from run to
-- run, and a key of an earlier run (the warm-up's) would be answered as a replay.
local counter = 0
local body = os.getenv("BENCH_BODY")
local token = os.getenv("TOKEN")
local prefix

function init(args)
  local urandom = assert(io.open("/dev/urandom", "rb"))
  prefix = urandom:read(8):gsub(".", function(byte) return string.format("%02x", byte:byte()) end)
  urandom:close()
end

function request()
  counter = counter + 1
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%s-%d", prefix, counter),
  }
  return wrk.format("POST", "/api/v1/referrals", headers, body)
end
