-- wrk script: POST a new, valid natural-person lead per request. Every lead
-- gets a fresh CPF (random base, real check digits), so the duplicate-lead
-- rule never turns a request into a 409.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("KEY") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
end

local function cpf()
  local d = {}
  for i = 1, 9 do d[i] = math.random(0, 9) end
  for _, n in ipairs({10, 11}) do
    local sum = 0
    for i = 1, n - 1 do sum = sum + d[i] * (n + 1 - i) end
    local r = (sum * 10) % 11
    if r == 10 then r = 0 end
    d[n] = r
  end
  return table.concat(d)
end

-- setup runs in the main state, seeded here: unseeded, every run of wrk
-- gave its threads the same seeds, and so the same Idempotency-Keys as the
-- run before, each answered 422 (the key reused for another body).
math.randomseed(os.time())

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init()
  math.randomseed(os.time() + (seed or 0))
end

local body = [[{"fullName":"Maria da Silva","personType":"natural","emailAddress":"maria@example.com",
"mobilePhone":"11999885544","utilityBillHolder":"natural","utilityBillingValue":850.15,
"identificationNumber":"%s","nationality":"Brasileira","maritalStatus":"Solteira","profession":"Engenheira",
"zipCode":"13010-000","state":"SP","city":"Campinas","street":"Rua Ladrilhos Dourados","number":"777",
"neighborhood":"Centro","complement":"Casa 2"}]]

-- With IDEMPOTENCY set, every request carries a fresh Idempotency-Key, as
-- a careful partner's client sends (issue 12's cost of keeping the key).
local idempotent = os.getenv("IDEMPOTENCY") ~= nil
local sent = 0

function request()
  local headers = nil
  if idempotent then
    sent = sent + 1
    headers = {}
    for k, v in pairs(wrk.headers) do headers[k] = v end
    headers["Idempotency-Key"] = string.format("load-%d-%d", seed or 0, sent)
  end
  return wrk.format(nil, nil, headers, string.format(body, cpf()))
end
