-- wrk script for bench/webhook.sh, BENCH_SCENARIO=mango: signed Mango Office
-- `events/summary` posts, each a different call.
--
-- wrk's Lua has no SHA-256, so bench/gen_mango.py signs and urlencodes the
-- bodies ahead of time into a pool file (one body per line). init() loads the
-- pool and turns every body into a complete request; request() hands them out
-- in order, each exactly once. With several wrk threads, thread i of n takes
-- lines i, i+n, i+2n, …
--
-- request() allocates nothing, so the garbage collector never runs during the
-- load: with a pool of a million requests live, every GC cycle would walk it
-- and show up as wrk-made latency (a 190 ms p99 against nginx when the
-- requests were formatted in request()).
--
-- A body must never repeat: the daemon would answer a repeat as a duplicate
-- without storing it, which flatters its rate. When a thread runs out of
-- bodies it stops, and done() reports it and exits with status 3, so
-- webhook.sh discards the run instead of reporting it.
--
-- Environment (set by webhook.sh):
--   BENCH_POOL     pool file for this wrk run
--   BENCH_THREADS  wrk's -t (default 1)

local pool_file = os.getenv("BENCH_POOL") or error("BENCH_POOL is not set")
local nthreads  = tonumber(os.getenv("BENCH_THREADS") or "1")

-- Main Lua state: number the threads and keep them for done().
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local pool, size, sent = {}, 0, 0
exhausted = 0 -- globals: read by done() through thread:get
pool_size = 0

function init(args)
  local f = assert(io.open(pool_file, "rb"))
  local line_no = 0
  for line in f:lines() do
    if line_no % nthreads == thread_id - 1 then
      size = size + 1
      -- wrk.format adds Host and Content-Length.
      pool[size] = wrk.format("POST", nil, headers, line)
    end
    line_no = line_no + 1
  end
  f:close()
  if size == 0 then error("empty pool " .. pool_file) end
  pool_size = size
  collectgarbage("collect") -- the lines read; nothing is allocated after this
end

-- Sent only once the pool is used up (the run is discarded then anyway):
-- unsigned, so the daemon refuses it instead of deduplicating a repeat.
local spent = wrk.format("POST", nil, headers, "pool=exhausted")

function request()
  if sent < size then
    sent = sent + 1
    return pool[sent]
  end
  if exhausted == 0 then wrk.thread:stop() end
  exhausted = exhausted + 1
  return spent
end

function done(summary, latency, requests)
  local short = false
  for _, t in ipairs(threads) do
    local n = t:get("exhausted") or 0
    if n > 0 then
      short = true
      io.stderr:write(string.format(
        "mango.lua: thread %d used all %d bodies of its pool and stopped (%d more requests wanted)\n",
        t:get("thread_id"), t:get("pool_size") or 0, n))
    end
  end
  if short then os.exit(3) end
end
