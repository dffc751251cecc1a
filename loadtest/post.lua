-- wrk script: POST the JSON of $BODY, in which "%d" becomes a number of
-- its own per request (so every request makes a new record), with the
-- headers listed in $HEADERS ("Key: value|Key: value").
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
for header in string.gmatch(os.getenv("HEADERS") or "", "[^|]+") do
  local k, v = string.match(header, "^%s*([^:]+):%s*(.-)%s*$")
  if k then wrk.headers[k] = v end
end
local body = os.getenv("BODY") or "{}"

function setup(thread)
  thread:set("seed", math.random(1, 1e6))
end

local sent = 0
function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, string.gsub(body, "%%d", string.format("%d%d", seed or 0, sent)))
end
