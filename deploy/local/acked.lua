-- wrk script for kill.sh: the durable lead create of loadtest/lead.lua,
-- remembering the id of every lead the service acknowledged (201), and
-- counting the other answers by status. done() prints "acked <id>" lines
-- and "status <code> <count>" lines for kill.sh to check.
-- lead.lua defines request(), and setup() and init(), extended here.
dofile("loadtest/lead.lua")
local lead_init = init

local threads = {}

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
  table.insert(threads, thread)
end

function init(args)
  lead_init(args)
  acked, statuses = "", ""
  counts = {}
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 201 then
    local id = body:match('"id"%s*:%s*"([^"]+)"')
    if id then acked = acked .. id .. "\n" end
  end
  local parts = {}
  for code, n in pairs(counts) do table.insert(parts, code .. "=" .. n) end
  statuses = table.concat(parts, ",")
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for id in (t:get("acked") or ""):gmatch("[^\n]+") do io.write("acked ", id, "\n") end
    for code, n in (t:get("statuses") or ""):gmatch("(%d+)=(%d+)") do
      total[code] = (total[code] or 0) + tonumber(n)
    end
  end
  for code, n in pairs(total) do io.write("status ", code, " ", n, "\n") end
  io.write("socket errors: connect ", summary.errors.connect, ", read ", summary.errors.read,
    ", write ", summary.errors.write, ", timeout ", summary.errors.timeout, "\n")
end
