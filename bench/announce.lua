-- wrk script for bench/run: BitTorrent announces with keep-alive, spread over many torrents
-- and peers. ANNOUNCE_HASHES names a file of %-escaped 20-byte info-hashes, one per line;
-- ANNOUNCE_KEY is our tracker's passkey (empty for opentracker).
local hashes = {}
for line in io.lines(os.getenv("ANNOUNCE_HASHES")) do hashes[#hashes + 1] = line end
local key = os.getenv("ANNOUNCE_KEY") or ""
-- ANNOUNCE_PATH: "/announce/<group>" for ours (announces name the group), "/announce" else.
local announce_path = os.getenv("ANNOUNCE_PATH") or "/announce"
local counter = 0

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  counter = counter + 1
  local peer = string.format("-BN0001-%012d", math.random(0, 999999999999))
  local path = announce_path .. "?info_hash=" .. hashes[(counter % #hashes) + 1] ..
               "&peer_id=" .. peer .. "&port=" .. (1024 + counter % 60000) ..
               "&uploaded=0&downloaded=0&left=" .. (counter % 2) .. "&compact=1&numwant=50"
  if key ~= "" then path = path .. "&pk=" .. key end
  return wrk.format("GET", path)
end
