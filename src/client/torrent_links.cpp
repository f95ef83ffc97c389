#include "swarmhub/client/torrent_links.hpp"

#include <fmt/format.h>
#include <filesystem>
#include <fstream>

#include "swarmhub/client/group_files.hpp"
#include "swarmhub/client/replies.hpp"
#include "swarmhub/proto/info_files.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/proto/torrent_links.hpp"

namespace swarmhub::client {
namespace {

namespace fs = std::filesystem;
using code = proto::error_code;

}  // namespace

awaitable<std::variant<p2p::metadata, proto::reply>> torrent_links::open_file(
    const std::string& group, const std::string& name) {
  if (passkey_.empty()) co_return error_reply(code::not_logged_in, "log in first");
  const auto mode = co_await group_mode(link_, group);
  if (!mode) co_return connection_lost_reply();
  if (mode->empty()) co_return error_reply(code::no_such_group, "no such group: " + group);
  if (*mode != "open") {
    co_return error_reply(code::group_sealed,
                          fmt::format("{} is sealed: its files are for swarmhub clients only "
                                      "(its owner may make it open: group_mode {} open)",
                                      group, group));
  }
  auto reply =
      co_await link_.request(fmt::format("file_info {} {}", group, proto::quote_argument(name)));
  if (!reply) co_return connection_lost_reply();
  if (!reply->ok) co_return *reply;
  auto meta = metadata_from(*reply);
  if (!meta) co_return error_reply(code::bad_file, "the tracker sent metadata that cannot be used");
  // The .torrent goes to other programs: a folder's paths are checked here as for a download.
  if (const auto content = proto::read_info_files(meta->info); !content.error.empty())
    co_return error_reply(code::bad_file, content.error);
  if (proto::ssl_cert_of(meta->info)) {
    co_return error_reply(code::group_sealed,
                          fmt::format("{} was shared while {} was sealed: it is for swarmhub "
                                      "clients only (download_file fetches it)",
                                      meta->name, group));
  }
  co_return std::move(*meta);
}

std::vector<std::string> torrent_links::announce_urls(const std::string& group) const {
  std::vector<std::string> urls;
  for (const auto& t : trackers_) urls.push_back(public_announce_url(t, group, passkey_));
  return urls;
}

awaitable<proto::reply> torrent_links::torrent_file(const std::string& group,
                                                    const std::string& name,
                                                    const std::string& destination) {
  auto found = co_await open_file(group, name);
  if (auto* refused = std::get_if<proto::reply>(&found)) co_return std::move(*refused);
  const auto& meta = std::get<p2p::metadata>(found);
  std::error_code ec;
  fs::path target = fs::absolute(destination.empty() ? "." : destination, ec);
  if (fs::is_directory(target, ec)) target /= meta.name + ".torrent";
  if (!fs::is_directory(target.parent_path(), ec)) {
    co_return error_reply(code::bad_arguments,
                          fmt::format("{} is not a directory", target.parent_path().string()));
  }
  if (fs::exists(fs::symlink_status(target, ec))) {
    co_return error_reply(code::file_exists,
                          fmt::format("{} exists; it is never overwritten", target.string()));
  }
  const std::string bytes = proto::torrent_file(meta.info, announce_urls(group));
  {
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      co_return error_reply(code::bad_file, fmt::format("cannot write {}", target.string()));
    }
  }
  co_return ok_reply(
      fmt::format("wrote {}: give it to any BitTorrent client (it announces "
                  "with your passkey)",
                  target.string()));
}

awaitable<proto::reply> torrent_links::magnet(const std::string& group, const std::string& name) {
  auto found = co_await open_file(group, name);
  if (auto* refused = std::get_if<proto::reply>(&found)) co_return std::move(*refused);
  const auto& meta = std::get<p2p::metadata>(found);
  p2p::info_hashes hashes;
  try {
    hashes = p2p::hashes_of(meta.info);
  } catch (const std::exception& e) {
    co_return error_reply(code::bad_file, e.what());
  }
  proto::magnet_parts parts{hashes.v1, hashes.v2, meta.name, announce_urls(group), {}};
  // The .torrent on the first tracker, where the announce URL's scheme says.
  const std::string& first = parts.trackers.front();
  const auto slash = first.find('/', first.find("://") + 3);
  parts.torrent_url = first.substr(0, slash) + proto::torrent_path(group, meta.name, passkey_);
  co_return ok_reply(fmt::format("magnet link of {} in {}", meta.name, group),
                     {proto::magnet_link(parts)});
}

}  // namespace swarmhub::client
