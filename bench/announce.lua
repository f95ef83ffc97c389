-- wrk script for bench/run: BitTorrent announces with keep-alive, spread over many torrents
-- and peers. ANNOUNCE_HASHES names a file of %-escaped 20-byte info-hashes, one per line.
-- ANNOUNCE_KEYS (ours; unset for opentracker) names a file of passkeys, one per simulated
-- peer: a request is one peer's announce of one torrent, both picked at random, so each
-- (passkey, torrent) announces rarely, as real peers do, and the minimum interval holds.
local hashes = {}
for line in io.lines(os.getenv("ANNOUNCE_HASHES")) do hashes[#hashes + 1] = line end
local keys = {}
local keys_file = os.getenv("ANNOUNCE_KEYS") or ""
if keys_file ~= "" then
  for line in io.lines(keys_file) do keys[#keys + 1] = line end
end
-- ANNOUNCE_PATH: "/announce/<group>" for ours (announces name the group), "/announce" else.
local announce_path = os.getenv("ANNOUNCE_PATH") or "/announce"
local peers = #keys > 0 and #keys or 5000
local counter = 0

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  counter = counter + 1
  local n = math.random(1, peers)
  local peer = string.format("-BN0001-%012d", n)
  local path = announce_path .. "?info_hash=" .. hashes[math.random(1, #hashes)] ..
               "&peer_id=" .. peer .. "&port=" .. (1024 + n % 60000) ..
               "&uploaded=0&downloaded=0&left=" .. (counter % 2) .. "&compact=1&numwant=50"
  if #keys > 0 then path = path .. "&pk=" .. keys[n] end
  return wrk.format("GET", path)
end
