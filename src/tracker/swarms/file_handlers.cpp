// add_file, list_files, file_info, passkey, new_passkey: the registry of shared files. The
// tracker keeps each file's metadata (its BitTorrent info dictionary); the bytes stay with the
// members.

#include <sodium.h>

#include <fmt/format.h>
#include <charconv>
#include <optional>
#include <stdexcept>

#include "swarmhub/net/group_ca.hpp"
#include "swarmhub/proto/bencode_reader.hpp"
#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/chat/relay.hpp"
#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/commands/refusals.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/swarms/digests.hpp"
#include "swarmhub/tracker/swarms/membership.hpp"
#include "swarmhub/util/base64.hpp"
#include "swarmhub/util/hex.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {
namespace {

using proto::error_code;
using store::status;

// Why the v1 part of `info` (a single file: `length`, `piece length`, one SHA-1 per piece in
// `pieces`) does not describe `size` bytes, or "" when it does.
std::string v1_problem(const proto::bencode::value& root, std::int64_t size) {
  const auto* pieces = root.find("pieces");
  const auto* v1_length = root.find("length");
  const auto* piece_length = root.find("piece length");
  if (root.find("files") != nullptr || !v1_length || !v1_length->as_int() ||
      *v1_length->as_int() != size) {
    return "the v1 part of the metadata must describe the same single file";
  }
  if (!piece_length || !piece_length->as_int() || *piece_length->as_int() <= 0 || !pieces ||
      !pieces->as_string()) {
    return "the v1 part of the metadata has no valid pieces";
  }
  const auto piece_count = (size + *piece_length->as_int() - 1) / *piece_length->as_int();
  if (static_cast<std::int64_t>(pieces->as_string()->size()) != 20 * piece_count)
    return "the v1 part of the metadata has no valid pieces";
  return {};
}

// Why `info` (a bencoded v1, v2 or hybrid v1+v2 info dictionary) does not describe one file
// called `name` of `size` bytes, or "" when it does.
std::string metadata_problem(std::string_view info, std::string_view name, std::int64_t size) {
  const auto root = proto::bencode::parse(info);
  if (!root || !root->as_dict()) return "the info dictionary is not valid bencode";
  const auto* n = root->find("name");
  if (!n || !n->as_string() || *n->as_string() != name) return "the metadata names another file";
  const auto* version = root->find("meta version");
  // v1 only: what any BitTorrent client reads (files of open groups, docs/protocol.md).
  if (version == nullptr) return v1_problem(*root, size);
  if (!version->as_int() || *version->as_int() != 2)
    return "only BitTorrent v1, v2 or hybrid v1+v2 metadata is accepted";
  const auto* tree = root->find("file tree");
  const auto* entry = tree ? tree->find(name) : nullptr;
  const auto* leaf = entry ? entry->find("") : nullptr;
  const auto* length = leaf ? leaf->find("length") : nullptr;
  if (!tree || tree->as_dict()->size() != 1 || !length || !length->as_int()) {
    return "the metadata must describe exactly one file";
  }
  if (*length->as_int() != size) return "the metadata gives another size";
  if (root->find("pieces") == nullptr) return {};
  return v1_problem(*root, size);  // hybrid: the v1 part must describe the same file
}

// The root certificate a sealed torrent carries (libtorrent's SSL torrents), if any.
std::optional<std::string> ssl_cert_of(std::string_view info) {
  const auto root = proto::bencode::parse(info);
  const auto* cert = root ? root->find("ssl-cert") : nullptr;
  if (cert == nullptr || !cert->as_string()) return std::nullopt;
  return std::string(*cert->as_string());
}

// The 20 bytes (hex) peers announce for `info` and, for a hybrid, the v1 hash they may
// announce instead. v2 and hybrid: the v2 hash truncated; v1 only: its SHA-1.
std::pair<std::string, std::string> swarm_keys(std::string_view info,
                                               const std::string& info_hash) {
  const auto root = proto::bencode::parse(info);
  const bool v2 = root && root->find("meta version") != nullptr;
  const bool v1 = root && root->find("pieces") != nullptr;
  if (!v2) return {sha1_hex(info), {}};
  return {info_hash.substr(0, 40), v1 ? sha1_hex(info) : std::string()};
}

// 16 random bytes in hex: what announces and .torrent files name a user by.
std::string fresh_passkey() {
  unsigned char random[16];
  randombytes_buf(random, sizeof random);
  return util::to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
}

}  // namespace

template <>
awaitable<void> handle<command_id::add_file>(command_context& ctx) {
  const std::string group = ctx.args[0];
  const std::string name = ctx.args[1];
  const std::string& hash = ctx.args[3];
  std::int64_t size = 0;
  const auto& size_text = ctx.args[2];
  const auto [ptr, ec] =
      std::from_chars(size_text.data(), size_text.data() + size_text.size(), size);
  if (!valid_name(group)) {
    ctx.reply.error(error_code::bad_name, "not a group name");
    co_return;
  }
  if (!valid_file_name(name)) {
    ctx.reply.error(error_code::bad_name,
                    "file names are 1-255 bytes without / or \\, not . or ..");
    co_return;
  }
  if (ec != std::errc() || ptr != size_text.data() + size_text.size() || size < 0) {
    ctx.reply.error(error_code::bad_arguments, "size must be a number of bytes");
    co_return;
  }
  const auto info = util::from_base64(ctx.args[4]);
  if (!info) {
    ctx.reply.error(error_code::bad_file, "the info dictionary must be base64");
    co_return;
  }
  const std::string info_hash = sha256_hex(*info);
  if (hash != info_hash) {
    ctx.reply.error(error_code::bad_file,
                    "the info-hash is not the SHA-256 of the info dictionary");
    co_return;
  }
  if (const auto problem = metadata_problem(*info, name, size); !problem.empty()) {
    ctx.reply.error(error_code::bad_file, problem);
    co_return;
  }
  // A sealed file is for one group only: its root must be that group's authority, or its
  // members could not prove themselves to each other (and another group's could).
  if (const auto cert = ssl_cert_of(*info)) {
    const auto fresh = net::make_group_ca(group);
    const std::string member = ctx.client.identity().user();
    auto query = [group, member, fresh](store::backend& db) {
      return db.group_authority_for(group, member, fresh.key_pem, fresh.cert_pem);
    };
    const auto ca = co_await ctx.core.store->run(std::move(query));
    if (ca.result != status::ok) co_return refuse(ctx, ca.result, group, member);
    if (ca.cert_pem != *cert) {
      ctx.reply.error(error_code::bad_file,
                      "the ssl-cert of a sealed file must be its group's certificate (group_cert)");
      co_return;
    }
  }
  const auto [swarm_key, v1_swarm_key] = swarm_keys(*info, info_hash);
  store::file_record file{group, name, size, info_hash, swarm_key, *info, {}, 0, v1_swarm_key};
  const std::string user = ctx.client.identity().user();
  auto insert = [file, user](store::backend& db) { return db.add_file(file, user); };
  const auto result = co_await ctx.core.store->run(std::move(insert));
  if (result.result != status::ok) co_return refuse(ctx, result.result, group, user);
  if (!result.already_there) {
    // The group's other members online, on this tracker and the others of its store.
    chat::announce_everywhere(
        ctx.core, group, proto::events::file_added,
        fmt::format("{} {} {} {}", group, proto::quote_argument(name), size, user),
        ctx.client.id());
  }
  ctx.reply.ok(result.already_there
                   ? fmt::format("{} is already in {}; you share it too", name, group)
                   : fmt::format("{} added to {}", name, group));
}

template <>
awaitable<void> handle<command_id::list_files>(command_context& ctx) {
  const std::string group = ctx.args[0];
  if (!valid_name(group)) {
    ctx.reply.error(error_code::bad_name, "not a group name");
    co_return;
  }
  const std::string user = ctx.client.identity().user();
  auto query = [group, user](store::backend& db) { return db.list_files(group, user); };
  const auto result = co_await ctx.core.store->run(std::move(query));
  if (result.result != status::ok) co_return refuse(ctx, result.result, group, user);
  for (const auto& f : result.items) {
    const auto swarm = ctx.core.swarms.count(f.group, f.swarm_key);
    ctx.reply.data(fmt::format("{} size={} uploader={} seeders={} leechers={}",
                               proto::quote_argument(f.name), f.size, f.uploader, swarm.seeders,
                               swarm.leechers));
  }
  ctx.reply.ok(fmt::format("{} file{}", result.items.size(), result.items.size() == 1 ? "" : "s"));
}

template <>
awaitable<void> handle<command_id::file_info>(command_context& ctx) {
  const std::string group = ctx.args[0];
  const std::string name = ctx.args[1];
  if (!valid_name(group)) {
    ctx.reply.error(error_code::bad_name, "not a group name");
    co_return;
  }
  const std::string user = ctx.client.identity().user();
  auto query = [group, name, user](store::backend& db) { return db.find_file(group, name, user); };
  const auto result = co_await ctx.core.store->run(std::move(query));
  if (result.result != status::ok) co_return refuse(ctx, result.result, group, user);
  ctx.reply.data("name " + proto::quote_argument(result.file.name));
  ctx.reply.data(fmt::format("size {}", result.file.size));
  ctx.reply.data("info_hash " + result.file.info_hash);
  ctx.reply.data("info " + util::to_base64(result.file.info));
  ctx.reply.ok(fmt::format("{} in {}", result.file.name, result.file.group));
}

template <>
awaitable<void> handle<command_id::passkey>(command_context& ctx) {
  const std::string fresh = fresh_passkey();
  const std::string user = ctx.client.identity().user();
  auto query = [user, fresh](store::backend& db) { return db.passkey(user, fresh); };
  const std::string key = co_await ctx.core.store->run(std::move(query));
  ctx.reply.ok(key);
}

// The old passkey is forgotten in the same store job that replaced it, here and (through the
// feed) on the other trackers of the store, with the peers announced with it: from the reply
// on, this tracker refuses it.
template <>
awaitable<void> handle<command_id::new_passkey>(command_context& ctx) {
  const std::string fresh = fresh_passkey();
  const std::string user = ctx.client.identity().user();
  tracker_core& core = ctx.core;
  auto replace = [&core, user, fresh](store::backend& db) {
    if (!db.replace_passkey(user, fresh)) return false;
    const auto tag = passkey_tag(fresh);
    passkey_replaced(core, user, tag);
    relay::passkey(core, user, tag);
    return true;
  };
  const bool replaced = co_await ctx.core.store->run(std::move(replace));
  if (!replaced) {
    ctx.reply.error(error_code::no_such_user, "no such user");
    co_return;
  }
  ctx.reply.ok(fresh);
}

}  // namespace swarmhub::tracker
