-- wrk script for bench/webhook.sh: one realistic lead per request.
--
-- Every request carries a different JSON body (a counter is spliced into the
-- email and the message) and a different Idempotency-Key, so the daemon stores
-- every single one instead of deduplicating. Keys are unique across wrk runs
-- because webhook.sh passes a fresh BENCH_RUN_ID to every run; across wrk
-- threads because setup() numbers the threads.
--
-- Environment (set by webhook.sh):
--   BENCH_TOKEN   bearer token for `Authorization: Bearer …`
--   BENCH_RUN_ID  unique per wrk invocation within a run, e.g. 3f2a-d2
--                 (run id, target initial, round)

local token  = os.getenv("BENCH_TOKEN") or "bench-token"
local run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())

-- ~300 bytes once filled in (Cyrillic is 2 bytes per letter in UTF-8).
local template = '{"name":"Анна Петрова","phone":"+7 912 345-67-89",'
  .. '"email":"anna.petrova+%s@example.ru",'
  .. '"message":"Здравствуйте! Нужна консультация, заявка %s",'
  .. '"utm_source":"yandex","utm_medium":"cpc","utm_campaign":"spring_sale",'
  .. '"utm_content":"banner_1"}'

-- Runs in the main Lua state: give each wrk thread its own number.
local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_id", next_thread)
end

local counter = 0

function request()
  counter = counter + 1
  local n = string.format("%s-%d-%d", run_id, thread_id or 0, counter)
  local body = string.format(template, n, n)
  local headers = {
    ["Content-Type"]    = "application/json",
    ["Authorization"]   = "Bearer " .. token,
    ["Idempotency-Key"] = "bench-" .. n,
  }
  -- wrk.format adds Host and Content-Length (byte length of body).
  return wrk.format("POST", wrk.path, headers, body)
end
