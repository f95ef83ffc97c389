#include "swarmhub/client/share_book.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "swarmhub/net/secure_files.hpp"
#include "swarmhub/util/base64.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

}  // namespace

share_book::share_book(std::string file) : file_(std::move(file)) {
  std::ifstream in(file_);
  if (!in) return;
  try {
    const json doc = json::parse(in);
    for (const auto& e : doc.at("shares")) {
      entries_.push_back({e.at("group"), e.at("name"), e.at("path"), e.at("info_hash"),
                          util::from_base64(e.at("info").get<std::string>()).value_or(""),
                          e.at("size"), e.at("mtime"), e.at("complete")});
    }
  } catch (const std::exception&) {
    entries_.clear();
    std::error_code ec;
    fs::rename(file_, file_ + ".damaged", ec);
  }
}

void share_book::put(share_entry entry) {
  erase(entry.group, entry.name);
  entries_.push_back(std::move(entry));
  save();
}

void share_book::erase(const std::string& group, const std::string& name) {
  const auto removed = std::erase_if(entries_, [&](const share_entry& e) {
    return util::iequals_ascii(e.group, group) && e.name == name;
  });
  if (removed > 0) save();
}

void share_book::erase_group(const std::string& group) {
  const auto removed = std::erase_if(
      entries_, [&](const share_entry& e) { return util::iequals_ascii(e.group, group); });
  if (removed > 0) save();
}

void share_book::mark_complete(const std::string& group, const std::string& name,
                               std::int64_t mtime) {
  for (auto& e : entries_) {
    if (util::iequals_ascii(e.group, group) && e.name == name) {
      e.complete = true;
      e.mtime = mtime;
    }
  }
  save();
}

std::int64_t share_book::mtime_of(const std::string& path) {
  std::error_code ec;
  const auto at = [&](const fs::path& p) {
    const auto t = fs::last_write_time(p, ec);
    return ec ? 0 : static_cast<std::int64_t>(t.time_since_epoch().count());
  };
  std::int64_t latest = at(path);
  if (ec || !fs::is_directory(fs::symlink_status(path, ec))) return latest;
  fs::recursive_directory_iterator it(path, ec), end;
  for (; !ec && it != end; it.increment(ec)) latest = std::max(latest, at(it->path()));
  return ec ? 0 : latest;
}

std::int64_t share_book::size_of(const std::string& path) {
  std::error_code ec;
  const auto st = fs::symlink_status(path, ec);
  if (!ec && fs::is_regular_file(st)) {
    const auto size = fs::file_size(path, ec);
    return ec ? -1 : static_cast<std::int64_t>(size);
  }
  if (ec || !fs::is_directory(st)) return -1;
  std::int64_t total = 0;
  fs::recursive_directory_iterator it(path, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const auto inner = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_regular_file(inner)) {
      total += static_cast<std::int64_t>(it->file_size(ec));
    } else if (!fs::is_directory(inner)) {
      return -1;
    }
  }
  return ec ? -1 : total;
}

void share_book::save() const {
  json doc;
  doc["shares"] = json::array();
  for (const auto& e : entries_) {
    doc["shares"].push_back({{"group", e.group},
                             {"name", e.name},
                             {"path", e.path},
                             {"info_hash", e.info_hash},
                             {"info", util::to_base64(e.info)},
                             {"size", e.size},
                             {"mtime", e.mtime},
                             {"complete", e.complete}});
  }
  try {
    net::make_private_dir(fs::path(file_).parent_path().string());
  } catch (const std::exception&) {
    return;  // then the file cannot be written either; the old list stays as it was
  }
  // All or nothing, 0600: a full disk must not take the old list with it.
  net::write_private_file(file_, doc.dump(1) + "\n");
}

}  // namespace swarmhub::client
