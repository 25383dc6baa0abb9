-- wrk script: every thread replays its own share of pre-signed request paths (one nonce per request).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  local n = 0
  for line in io.lines(args[1]) do
    if n % counter_total() == id then paths[#paths + 1] = line end
    n = n + 1
  end
  next_index = 0
end

function counter_total()
  return tonumber(os.getenv("WRK_THREADS") or "2")
end

function request()
  next_index = next_index + 1
  if next_index > #paths then next_index = 1 end -- reuse means SignatureNonceUsed: the run must be shorter
  return wrk.format("GET", paths[next_index])
end
