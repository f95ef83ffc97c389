#include "swarmhub/client/piece_layers.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "swarmhub/proto/piece_layers.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/base64.hpp"

namespace swarmhub::client {
namespace {

constexpr std::size_t chunk_bytes = proto::layer_chunk_hashes * proto::layer_hash_bytes;

}  // namespace

awaitable<std::string> give_piece_layer(tracker_link& link, const std::string& group,
                                        const std::string& name, const std::string& layer) {
  for (std::size_t at = 0; at < layer.size(); at += chunk_bytes) {
    const auto chunk = std::string_view(layer).substr(at, chunk_bytes);
    auto reply = co_await link.request(
        fmt::format("add_layers {} {} {} {}", group, proto::quote_argument(name),
                    at / proto::layer_hash_bytes, util::to_base64(chunk)));
    if (!reply) co_return "the connection to the tracker was lost";
    if (!reply->ok) co_return reply->text;
  }
  co_return std::string();
}

std::optional<layer_part> piece_layer_from(const proto::reply& reply, std::size_t first) {
  if (!reply.ok || reply.data.empty()) return std::nullopt;
  const auto number = [](std::string_view text) -> std::optional<std::size_t> {
    std::size_t n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return n;
  };
  layer_part part;
  const std::size_t start = first * proto::layer_hash_bytes;
  for (const auto& line : reply.data) {
    const auto [head, rest] = proto::split_verb(line);
    const std::size_t at = start + part.hashes.size();  // where the next chunk must start
    if (part.more) return std::nullopt;                 // "more" ends a reply
    if (head == "more") {
      // Only after full chunks, and where they end.
      part.more = number(rest);
      if (!part.more || part.hashes.empty() || part.hashes.size() % chunk_bytes != 0 ||
          *part.more * proto::layer_hash_bytes != at) {
        return std::nullopt;
      }
      continue;
    }
    const auto piece = number(head);
    const auto hashes = util::from_base64(rest);
    // In order from `first`, every chunk but the last one full: what the tracker stores.
    if (!piece || !hashes || part.hashes.size() % chunk_bytes != 0 ||
        *piece * proto::layer_hash_bytes != at || hashes->empty() || hashes->size() > chunk_bytes ||
        hashes->size() % proto::layer_hash_bytes != 0) {
      return std::nullopt;
    }
    part.hashes += *hashes;
  }
  if (part.hashes.empty()) return std::nullopt;
  return part;
}

awaitable<p2p::metadata> with_tracker_layer(tracker_link& link, const std::string& group,
                                            p2p::metadata meta) {
  std::string layer;
  for (;;) {
    const std::size_t first = layer.size() / proto::layer_hash_bytes;
    auto reply = co_await link.request(
        fmt::format("piece_layers {} {} {}", group, proto::quote_argument(meta.name), first));
    if (!reply) co_return meta;
    auto part = piece_layer_from(*reply, first);
    if (!part) co_return meta;
    layer += part->hashes;
    // A piece is 16 KiB at least, and each file with a layer is longer than a piece, so its
    // last piece at most doubles its count: a tracker that says "more" past that is not
    // followed.
    const auto most =
        (2 * static_cast<std::size_t>(meta.size) / (16 * 1024) + 1) * proto::layer_hash_bytes;
    if (layer.size() > most) co_return meta;
    if (!part->more) break;
  }
  try {
    co_return p2p::with_piece_layer(meta, layer);
  } catch (const std::exception&) {
  }
  co_return meta;  // not v2 metadata: its hashes are in it already
}

}  // namespace swarmhub::client
