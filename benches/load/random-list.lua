-- wrk script: GET /credentials?cursor=C&limit=L at cursors spread over the whole store, as
-- clients half-way through a listing send them. A cursor is base64url (no padding) of a version
-- byte 1 and the 8-byte big-endian storage position (gxa-store `ListCursor`).
-- Usage: wrk -s random-list.lua URL -- MAX_POSITION LIMIT
local max_position, limit
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

local function base64url(bytes)
    local out = {}
    for i = 1, #bytes, 3 do
        local a, b, c = bytes:byte(i, i + 2)
        local n = a * 65536 + (b or 0) * 256 + (c or 0)
        local chars = 4
        if not b then chars = 2 elseif not c then chars = 3 end
        for k = 1, chars do
            local shift = 18 - 6 * (k - 1)
            local v = math.floor(n / 2 ^ shift) % 64
            out[#out + 1] = alphabet:sub(v + 1, v + 1)
        end
    end
    return table.concat(out)
end

local function cursor(position)
    local bytes = { 1 }
    for k = 7, 0, -1 do
        bytes[#bytes + 1] = math.floor(position / 2 ^ (8 * k)) % 256
    end
    return base64url(string.char(unpack(bytes)))
end

function init(args)
    max_position = tonumber(args[1] or "1000000")
    limit = args[2] or "100"
    math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
    return wrk.format("GET", "/credentials?limit=" .. limit .. "&cursor=" .. cursor(math.random(1, max_position)))
end
