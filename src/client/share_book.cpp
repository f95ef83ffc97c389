#include "swarmhub/client/share_book.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "swarmhub/net/secure_files.hpp"
#include "swarmhub/util/base64.hpp"

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
  const auto removed = std::erase_if(
      entries_, [&](const share_entry& e) { return e.group == group && e.name == name; });
  if (removed > 0) save();
}

void share_book::erase_group(const std::string& group) {
  const auto removed =
      std::erase_if(entries_, [&](const share_entry& e) { return e.group == group; });
  if (removed > 0) save();
}

void share_book::mark_complete(const std::string& group, const std::string& name,
                               std::int64_t mtime) {
  for (auto& e : entries_) {
    if (e.group == group && e.name == name) {
      e.complete = true;
      e.mtime = mtime;
    }
  }
  save();
}

std::int64_t share_book::mtime_of(const std::string& path) {
  std::error_code ec;
  const auto t = fs::last_write_time(path, ec);
  return ec ? 0 : static_cast<std::int64_t>(t.time_since_epoch().count());
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
