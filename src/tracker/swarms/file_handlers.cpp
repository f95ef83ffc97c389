// add_file, list_files, file_info, passkey: the registry of shared files. The tracker keeps
// each file's metadata (the BitTorrent v2 info dictionary); the bytes stay with the members.

#include <sodium.h>

#include <fmt/format.h>
#include <charconv>
#include <stdexcept>

#include "swarmhub/proto/bencode_reader.hpp"
#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/commands/refusals.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/swarms/digests.hpp"
#include "swarmhub/util/base64.hpp"
#include "swarmhub/util/hex.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {
namespace {

using proto::error_code;
using store::status;

// Why `info` (a bencoded v2 or hybrid v1+v2 info dictionary) does not describe one file
// called `name` of `size` bytes, or "" when it does.
std::string metadata_problem(std::string_view info, std::string_view name, std::int64_t size) {
  const auto root = proto::bencode::parse(info);
  if (!root || !root->as_dict()) return "the info dictionary is not valid bencode";
  const auto* version = root->find("meta version");
  if (!version || !version->as_int() || *version->as_int() != 2)
    return "only BitTorrent v2 or hybrid v1+v2 metadata is accepted";
  const auto* n = root->find("name");
  if (!n || !n->as_string() || *n->as_string() != name) return "the metadata names another file";
  const auto* tree = root->find("file tree");
  const auto* entry = tree ? tree->find(name) : nullptr;
  const auto* leaf = entry ? entry->find("") : nullptr;
  const auto* length = leaf ? leaf->find("length") : nullptr;
  if (!tree || tree->as_dict()->size() != 1 || !length || !length->as_int()) {
    return "the metadata must describe exactly one file";
  }
  if (*length->as_int() != size) return "the metadata gives another size";
  if (root->find("pieces") == nullptr) return {};
  // Hybrid: the v1 half must describe the same single file, with one SHA-1 per piece.
  const auto* pieces = root->find("pieces");
  const auto* v1_length = root->find("length");
  const auto* piece_length = root->find("piece length");
  if (root->find("files") != nullptr || !v1_length || !v1_length->as_int() ||
      *v1_length->as_int() != size) {
    return "the v1 half of the metadata must describe the same single file";
  }
  if (!piece_length || !piece_length->as_int() || *piece_length->as_int() <= 0 ||
      !pieces->as_string()) {
    return "the v1 half of the metadata has no valid pieces";
  }
  const auto piece_count = (size + *piece_length->as_int() - 1) / *piece_length->as_int();
  if (static_cast<std::int64_t>(pieces->as_string()->size()) != 20 * piece_count)
    return "the v1 half of the metadata has no valid pieces";
  return {};
}

bool is_hybrid(std::string_view info) {
  const auto root = proto::bencode::parse(info);
  return root && root->find("pieces") != nullptr;
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
  store::file_record file{group,
                          name,
                          size,
                          info_hash,
                          info_hash.substr(0, 40),
                          *info,
                          {},
                          0,
                          is_hybrid(*info) ? sha1_hex(*info) : std::string()};
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
  unsigned char random[16];
  randombytes_buf(random, sizeof random);
  const std::string fresh =
      util::to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  const std::string user = ctx.client.identity().user();
  auto query = [user, fresh](store::backend& db) { return db.passkey(user, fresh); };
  const std::string key = co_await ctx.core.store->run(std::move(query));
  ctx.reply.ok(key);
}

}  // namespace swarmhub::tracker
