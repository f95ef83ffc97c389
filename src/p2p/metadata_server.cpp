#include "metadata_server.hpp"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/entry.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/extensions.hpp>
#include <libtorrent/operations.hpp>
#include <libtorrent/peer_connection.hpp>
#include <libtorrent/peer_connection_handle.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace swarmhub::p2p {
namespace {

// BEP 9: the dictionary goes in blocks of 16 KiB; a message is a bencoded header
// {msg_type, piece[, total_size]}, and for data the block right after it.
constexpr int block_size = 16 * 1024;
constexpr int request = 0;
constexpr int data = 1;
constexpr int reject = 2;
// The id peers send our ut_metadata messages with (we choose it in our extended handshake).
// libtorrent's own extended messages use 1 to 8; this one must not meet them.
constexpr int our_message_id = 11;
// Nothing a peer sends us under that id is longer than a data message (a header and a
// block); we never ask for data, so anything longer is not BEP 9.
constexpr int longest_message = block_size + 1024;
constexpr int sends_per_block = 2;
constexpr int most_rejects = 64;      // then the peer is not after the metadata: cut off
constexpr int extended_message = 20;  // BEP 10's message id in the peer wire

std::string bencode_header(int type, int piece, std::optional<int> total) {
  // Keys in order, as bencode wants: msg_type, piece, total_size.
  std::string out =
      "d8:msg_typei" + std::to_string(type) + "e5:piecei" + std::to_string(piece) + "e";
  if (total) out += "10:total_sizei" + std::to_string(*total) + "e";
  return out + "e";
}

class metadata_peer final : public lt::peer_plugin {
 public:
  metadata_peer(lt::peer_connection_handle connection, std::shared_ptr<const std::string> info)
      : connection_(std::move(connection)),
        info_(std::move(info)),
        sent_((static_cast<int>(info_->size()) + block_size - 1) / block_size, 0) {}

  lt::string_view type() const override { return "swarmhub_metadata"; }

  void add_handshake(lt::entry& handshake) override {
    handshake["m"]["ut_metadata"] = our_message_id;
    handshake["metadata_size"] = static_cast<std::int64_t>(info_->size());
  }

  // The id this peer wants our answers sent with; a peer without one never asks.
  bool on_extension_handshake(lt::bdecode_node const& handshake) override {
    if (handshake.type() != lt::bdecode_node::dict_t) return false;
    const auto messages = handshake.dict_find_dict("m");
    if (!messages) return false;
    const auto id = messages.dict_find_int_value("ut_metadata", 0);
    if (id <= 0 || id > 255) return false;
    their_id_ = static_cast<int>(id);
    return true;
  }

  // Called as the message arrives; it is whole when `body` holds `length` bytes.
  bool on_extended(int length, int message, lt::span<char const> body) override {
    if (message != our_message_id) return false;
    if (length > longest_message) {
      cut_off();
      return true;
    }
    if (body.size() < length) return true;
    answer(body);
    return true;
  }

 private:
  void answer(lt::span<char const> body) {
    lt::error_code ec;
    const auto header = lt::bdecode(body, ec);
    if (ec || header.type() != lt::bdecode_node::dict_t) return reject_one(-1);
    const auto kind = header.dict_find_int_value("msg_type", -1);
    const auto piece = header.dict_find_int_value("piece", -1);
    // BEP 9: unknown types are ignored. Data and rejects answer requests we never send.
    if (kind != request) return;
    const auto blocks = static_cast<std::int64_t>(sent_.size());
    if (piece < 0 || piece >= blocks || sent_[static_cast<std::size_t>(piece)] >= sends_per_block) {
      return reject_one(piece);
    }
    ++sent_[static_cast<std::size_t>(piece)];
    const auto offset = static_cast<std::size_t>(piece) * block_size;
    const auto size = std::min<std::size_t>(block_size, info_->size() - offset);
    send(bencode_header(data, static_cast<int>(piece), static_cast<int>(info_->size())),
         std::string_view(*info_).substr(offset, size));
  }

  void reject_one(std::int64_t piece) {
    if (++rejects_ > most_rejects) return cut_off();
    if (piece >= 0 && piece <= INT32_MAX)
      send(bencode_header(reject, static_cast<int>(piece), {}), {});
  }

  void send(const std::string& header, std::string_view payload) {
    if (their_id_ == 0) return;
    const auto length = static_cast<std::uint32_t>(2 + header.size() + payload.size());
    std::string out;
    out.reserve(4 + length);
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((length >> shift) & 0xFF);
    out += static_cast<char>(extended_message);
    out += static_cast<char>(their_id_);
    out += header;
    out += payload;
    connection_.send_buffer(out.data(), static_cast<int>(out.size()));
  }

  void cut_off() {
    connection_.disconnect(lt::errors::invalid_metadata_message, lt::operation_t::bittorrent,
                           lt::peer_connection_interface::peer_error);
  }

  lt::peer_connection_handle connection_;
  std::shared_ptr<const std::string> info_;
  std::vector<int> sent_;  // per block, to this peer
  int their_id_ = 0;
  int rejects_ = 0;
};

class metadata_torrent final : public lt::torrent_plugin {
 public:
  explicit metadata_torrent(std::shared_ptr<const std::string> info) : info_(std::move(info)) {}

  std::shared_ptr<lt::peer_plugin> new_connection(lt::peer_connection_handle const& pc) override {
    if (pc.type() != lt::connection_type::bittorrent) return {};
    return std::make_shared<metadata_peer>(pc, info_);
  }

 private:
  std::shared_ptr<const std::string> info_;
};

}  // namespace

torrent_extension metadata_server(std::string info) {
  auto shared = std::make_shared<const std::string>(std::move(info));
  return [shared](lt::torrent_handle const&,
                  lt::client_data_t) -> std::shared_ptr<lt::torrent_plugin> {
    return std::make_shared<metadata_torrent>(shared);
  };
}

}  // namespace swarmhub::p2p
