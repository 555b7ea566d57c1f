-- wrk script: GET /credentials/{id} for ids spread over the whole filled store, so that the
-- service's in-memory credential cache (4096 entries) rarely helps and the store is read.
-- Ids are PREFIX .. zero-padded n, n in [0, COUNT), as `gxa-store --example fill` writes them.
-- Usage: wrk -s random-get.lua URL -- PATH_PREFIX COUNT
local prefix, count

function init(args)
    prefix = args[1] or "/credentials/bench-"
    count = tonumber(args[2] or "1000000")
    math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
    return wrk.format("GET", string.format("%s%08d", prefix, math.random(0, count - 1)))
end
