-- wrk script for Benchmarks/server_bench.sh: POST allocations (a /32 each, a unique request id
-- per request) to the pools in $BERTH_BENCH_POOLS (comma-separated), chosen at random.
local pools = {}
for p in string.gmatch(os.getenv("BERTH_BENCH_POOLS") or "bench", "[^,]+") do pools[#pools + 1] = p end
local token = os.getenv("BERTH_BENCH_TOKEN")
local counter = 0
local salt = 0

function init(args)
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
    salt = math.random(1, 1000000000)
end

function request()
    counter = counter + 1
    local pool = pools[math.random(#pools)]
    local body = string.format('{"size":32,"requestId":"b%d-%d","owner":"bench"}', salt, counter)
    return wrk.format("POST", "/api/v1/pools/" .. pool .. "/allocations",
        {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
