// add_file, list_files, file_info, remove_file, passkey, new_passkey: the registry of shared
// files. The tracker keeps each file's metadata (its BitTorrent info dictionary); the bytes
// stay with the members.

#include <sodium.h>

#include <fmt/format.h>
#include <algorithm>
#include <optional>
#include <stdexcept>

#include "swarmhub/net/group_ca.hpp"
#include "swarmhub/proto/bencode_reader.hpp"
#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/info_files.hpp"
#include "swarmhub/proto/piece_layers.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/chat/relay.hpp"
#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/commands/refusals.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/swarms/digests.hpp"
#include "swarmhub/tracker/swarms/membership.hpp"
#include "swarmhub/tracker/swarms/piece_layer.hpp"
#include "swarmhub/util/base64.hpp"
#include "swarmhub/util/hex.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {
namespace {

using proto::error_code;
using store::status;

// Why `info` (a bencoded v1, v2 or hybrid v1+v2 info dictionary) does not describe one file
// or one folder called `name` of `size` bytes in all, or "" when it does. A folder's file
// count goes to `files`.
std::string metadata_problem(std::string_view info, std::string_view name, std::int64_t size,
                             std::int64_t& files) {
  const auto content = proto::read_info_files(info);
  if (!content.error.empty()) return content.error;
  if (content.name != name) return "the metadata names another file";
  if (content.size != size) return "the metadata gives another size";
  files = content.folder ? static_cast<std::int64_t>(content.files.size()) : 0;
  if (!content.has_v1) return {};
  // The v1 part (alone, or a hybrid's): one SHA-1 per piece of all its bytes.
  const auto root = proto::bencode::parse(info);
  const auto* pieces = root->find("pieces");
  const auto* piece_length = root->find("piece length");
  if (!piece_length || !piece_length->as_int() || *piece_length->as_int() <= 0 ||
      !pieces->as_string()) {
    return "the v1 part of the metadata has no valid pieces";
  }
  const auto piece_count =
      (content.v1_length + *piece_length->as_int() - 1) / *piece_length->as_int();
  if (static_cast<std::int64_t>(pieces->as_string()->size()) != 20 * piece_count)
    return "the v1 part of the metadata has no valid pieces";
  return {};
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
  const auto size_given = util::parse_count(ctx.args[2]);
  if (!valid_name(group)) {
    ctx.reply.error(error_code::bad_name, "not a group name");
    co_return;
  }
  if (!valid_file_name(name)) {
    ctx.reply.error(error_code::bad_name,
                    "file names are 1-255 bytes without / or \\, not . or ..");
    co_return;
  }
  if (!size_given) {
    ctx.reply.error(error_code::bad_arguments, "size must be a number of bytes");
    co_return;
  }
  const std::int64_t size = *size_given;
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
  std::int64_t files = 0;
  if (const auto problem = metadata_problem(*info, name, size, files); !problem.empty()) {
    ctx.reply.error(error_code::bad_file, problem);
    co_return;
  }
  // A sealed file is for one group only: its root must be that group's authority, or its
  // members could not prove themselves to each other (and another group's could).
  if (const auto cert = proto::ssl_cert_of(*info)) {
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
  store::file_record file{group, name, size, info_hash,    swarm_key,
                          *info, {},   0,    v1_swarm_key, files};
  file.sealed = proto::ssl_cert_of(*info).has_value();
  const std::string user = ctx.client.identity().user();
  auto insert = [file, user](store::backend& db) { return db.add_file(file, user); };
  const auto result = co_await ctx.core.store->run(std::move(insert));
  if (result.result == status::quota_exceeded) {
    ctx.reply.error(error_code::quota_exceeded,
                    fmt::format("you have shared {} files, the most this tracker keeps for one "
                                "user: remove_file one first",
                                ctx.core.options.max_files_per_user));
    co_return;
  }
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
    // A folder's count last: readers of the fields before it need not know of folders.
    // The mode the file was shared with, which may not be its group's any more.
    const bool sealed = f.sealed ? *f.sealed : proto::ssl_cert_of(f.info).has_value();
    ctx.reply.data(
        fmt::format("{} size={} uploader={} mode={} seeders={} leechers={}{}",
                    proto::quote_argument(f.name), f.size, f.uploader,
                    store::mode_name(sealed ? store::group_mode::sealed : store::group_mode::open),
                    swarm.seeders, swarm.leechers,
                    f.file_count > 0 ? fmt::format(" files={}", f.file_count) : ""));
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

// Whether `chunks` (ordered, from the store) are a layer with `shape`'s pieces roots: checked
// on the hashing threads, as a file of 2^21 pieces has a layer of 64 MiB, too long to hash on
// an I/O thread.
awaitable<bool> layer_matches(tracker_core& core, const layer_shape& shape,
                              const std::vector<store::layer_chunk>& chunks) {
  auto check = [&shape, &chunks] {
    std::string layer;
    for (const auto& c : chunks) layer += c.hashes;
    return piece_layer_matches(shape, layer);
  };
  co_return co_await core.hashing.run(std::move(check));
}

// The store job after `submitter`'s whole layer of `info_hash` was checked: kept when it
// `matches`, dropped otherwise.
auto settle_layer(const std::string& info_hash, std::string_view submitter, bool matches,
                  std::vector<store::layer_chunk> chunks) {
  return [info_hash, submitter = std::string(submitter), matches,
          chunks = std::move(chunks)](store::backend& db) {
    if (matches) {
      db.keep_layer(info_hash, chunks);
    } else {
      db.drop_layer_chunks(info_hash, submitter);
    }
    return true;  // the pool hands back a value
  };
}

// Each member's chunks are kept apart as they come (store.hpp); once all of a member's are
// there they are checked against the file's pieces roots: a match becomes the file's layer,
// what piece_layers hands out; a mismatch (a member who sent wrong hashes) is dropped, and
// nobody else's chunks with it. Clients check the layer again.
template <>
awaitable<void> handle<command_id::add_layers>(command_context& ctx) {
  const std::string group = ctx.args[0];
  const std::string name = ctx.args[1];
  const auto first_piece = util::parse_count(ctx.args[2]);
  if (!valid_name(group)) {
    ctx.reply.error(error_code::bad_name, "not a group name");
    co_return;
  }
  if (!first_piece) {
    ctx.reply.error(error_code::bad_arguments, "first-piece must be a piece number");
    co_return;
  }
  const std::int64_t first = *first_piece;
  const auto hashes = util::from_base64(ctx.args[3]);
  if (!hashes) {
    ctx.reply.error(error_code::bad_arguments, "the hashes must be base64");
    co_return;
  }
  const std::string user = ctx.client.identity().user();
  auto query = [group, name, user](store::backend& db) { return db.find_file(group, name, user); };
  const auto found = co_await ctx.core.store->run(std::move(query));
  if (found.result != status::ok) co_return refuse(ctx, found.result, group, user);
  const auto shape = piece_layer_shape(found.file.info);
  if (!shape) {
    ctx.reply.error(
        error_code::bad_file,
        "only v2 metadata with a file of more than one piece (within libtorrent's bounds) "
        "has piece layers");
    co_return;
  }
  const auto chunk = static_cast<std::int64_t>(proto::layer_chunk_hashes);
  const auto count = std::min(chunk, shape->pieces - first);
  if (first % chunk != 0 || first >= shape->pieces) {
    ctx.reply.error(
        error_code::bad_arguments,
        fmt::format("first-piece must be a multiple of {} below {}", chunk, shape->pieces));
    co_return;
  }
  if (hashes->size() != static_cast<std::size_t>(count) * proto::layer_hash_bytes) {
    ctx.reply.error(error_code::bad_arguments,
                    fmt::format("pieces {} to {} need {} hashes of {} bytes", first,
                                first + count - 1, count, proto::layer_hash_bytes));
    co_return;
  }
  const auto needed = static_cast<std::size_t>((shape->pieces + chunk - 1) / chunk);
  const std::string submitter = util::ascii_lower(user);
  // Nothing is stored once the file has a layer: the first one kept stays.
  // The chunks come back only once all are there: read back with every chunk, a layer of n
  // chunks cost the store thread n^2/2 chunk reads (2,048 chunks of 32 KiB at most).
  auto store_chunk = [key = found.file.info_hash, submitter, first, bytes = *hashes,
                      needed](store::backend& db) {
    return db.add_layer_chunk(key, submitter, first, bytes, static_cast<std::int64_t>(needed));
  };
  auto stored = co_await ctx.core.store->run(std::move(store_chunk));
  if (stored.kept_already) {
    ctx.reply.ok(fmt::format("the piece layer of {} is here already", name));
    co_return;
  }
  if (stored.whole.size() < needed) {
    ctx.reply.ok(
        fmt::format("{} of {} chunks of the piece layer of {}", stored.chunks, needed, name));
    co_return;
  }
  auto chunks = std::move(stored.whole);
  const bool matches = co_await layer_matches(ctx.core, *shape, chunks);
  if (!matches) chunks.clear();  // only a layer that matches is kept
  co_await ctx.core.store->run(
      settle_layer(found.file.info_hash, submitter, matches, std::move(chunks)));
  if (!matches) {
    ctx.reply.error(error_code::bad_file,
                    "the piece layer does not match the pieces roots; your chunks were dropped");
    co_return;
  }
  ctx.reply.ok(fmt::format("the piece layer of {} is complete ({} hashes)", name, shape->pieces));
}

// Data lines "<first-piece> <base64 hashes>" from `first-piece` (default 0) on, only once the
// whole layer is there (checked), at most layers_per_reply of them so that a reply stays far
// below the output bound (--max-output) whatever the file's size; then "more <first-piece>"
// when the layer goes on.
template <>
awaitable<void> handle<command_id::piece_layers>(command_context& ctx) {
  constexpr std::size_t layers_per_reply = 16;  // ~700 KB of base64 at most
  const std::string group = ctx.args[0];
  const std::string name = ctx.args[1];
  std::int64_t from = 0;
  if (ctx.args.size() == 3) {
    const auto given = util::parse_count(ctx.args[2]);
    const auto chunk = static_cast<std::int64_t>(proto::layer_chunk_hashes);
    if (!given || *given % chunk != 0) {
      ctx.reply.error(error_code::bad_arguments,
                      fmt::format("first-piece must be a multiple of {}", chunk));
      co_return;
    }
    from = *given;
  }
  if (!valid_name(group)) {
    ctx.reply.error(error_code::bad_name, "not a group name");
    co_return;
  }
  const std::string user = ctx.client.identity().user();
  auto query = [group, name, user](store::backend& db) { return db.find_file(group, name, user); };
  const auto found = co_await ctx.core.store->run(std::move(query));
  if (found.result != status::ok) co_return refuse(ctx, found.result, group, user);
  const auto shape = piece_layer_shape(found.file.info);
  if (!shape) {
    ctx.reply.ok(
        fmt::format("{} has no piece layer (v1, or no file of more than one piece)", name));
    co_return;
  }
  const auto chunk = static_cast<std::int64_t>(proto::layer_chunk_hashes);
  const auto needed = static_cast<std::size_t>((shape->pieces + chunk - 1) / chunk);
  // The kept layer, checked when it was kept; or, when there is none, one stored before.
  struct found_layer {
    std::vector<store::layer_chunk> chunks;
    bool kept = false;
  };
  auto read = [key = found.file.info_hash](store::backend& db) {
    found_layer out{db.layer_chunks(key, store::kept_layer), true};
    if (out.chunks.empty()) out = {db.layer_chunks(key, store::stored_before_submitters), false};
    return out;
  };
  const auto layer = co_await ctx.core.store->run(std::move(read));
  bool whole = layer.chunks.size() == needed;
  if (whole && !layer.kept) {
    whole = co_await layer_matches(ctx.core, *shape, layer.chunks);
    co_await ctx.core.store->run(
        settle_layer(found.file.info_hash, store::stored_before_submitters, whole,
                     whole ? layer.chunks : std::vector<store::layer_chunk>()));
  }
  if (!whole) {
    ctx.reply.ok(fmt::format("the piece layer of {} is not here (yet)", name));
    co_return;
  }
  const auto& chunks = layer.chunks;
  std::size_t given = 0;
  for (const auto& c : chunks) {
    if (c.first < from) continue;
    if (given == layers_per_reply) {
      ctx.reply.data(fmt::format("more {}", c.first));
      break;
    }
    ctx.reply.data(fmt::format("{} {}", c.first, util::to_base64(c.hashes)));
    ++given;
  }
  ctx.reply.ok(fmt::format("{} piece hashes of {}", shape->pieces, name));
}

template <>
awaitable<void> handle<command_id::remove_file>(command_context& ctx) {
  const std::string group = ctx.args[0];
  const std::string name = ctx.args[1];
  if (!valid_name(group)) {
    ctx.reply.error(error_code::bad_name, "not a group name");
    co_return;
  }
  const std::string user = ctx.client.identity().user();
  // The swarm goes in the same store job, after the commit: an announce looking the file up
  // meanwhile either ran before (and its entry is forgotten here) or finds no file.
  auto remove = [&core = ctx.core, group, name, user](store::backend& db) {
    auto removed = db.remove_file(group, name, user);
    if (removed.result == status::ok) {
      file_removed(core, removed.file.group, removed.file.swarm_key);
      relay::file_removed(core, db, removed.file.group, removed.file.swarm_key);
    }
    return removed;
  };
  const auto result = co_await ctx.core.store->run(std::move(remove));
  if (result.result == status::not_owner) {
    ctx.reply.error(error_code::not_owner,
                    fmt::format("only {}, who shared it, or the owner of {} can remove {}",
                                result.file.uploader, result.file.group,
                                proto::quote_argument(result.file.name)));
    co_return;
  }
  if (result.result != status::ok) co_return refuse(ctx, result.result, group, user);
  const std::string quoted = proto::quote_argument(result.file.name);
  chat::announce_everywhere(ctx.core, result.file.group, proto::events::file_removed,
                            fmt::format("{} {} {}", result.file.group, quoted, user),
                            ctx.client.id());
  ctx.reply.ok(fmt::format("{} removed from {}", quoted, result.file.group));
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
