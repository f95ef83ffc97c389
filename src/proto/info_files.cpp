#include "swarmhub/proto/info_files.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "swarmhub/proto/bencode_reader.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::proto {
namespace {

using bencode::value;

std::string joined(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : "/") + p;
  return out;
}

// Each problem once, its words in one place.
std::string unsafe_component(std::string_view component) {
  return fmt::format(
      "the metadata names an unsafe path component '{}': each must be a plain name (not . or "
      "..; no /, \\, control or bidi characters)",
      util::printable(component));
}

// Appends the files below `node` (a v2 `file tree` directory) to `out`; `path` leads to it.
std::string walk_tree(const value& node, std::vector<std::string>& path, int depth,
                      std::vector<info_file>& out) {
  const auto* entries = node.as_dict();
  if (entries == nullptr || entries->empty()) return "the file tree has an empty or bad folder";
  if (depth > max_info_depth) return "the file tree is too deep";
  for (const auto& [key, child] : *entries) {
    if (!util::is_path_component(key)) return unsafe_component(key);
    path.push_back(key);
    const auto* leaf = child.find("");
    if (leaf != nullptr) {
      const auto* length = leaf->find("length");
      if (child.as_dict()->size() != 1 || !length || !length->as_int() || *length->as_int() < 0)
        return "the file tree has a bad file entry: " + util::printable(joined(path));
      out.push_back({path, *length->as_int()});
      if (out.size() > max_info_files) return "the metadata lists too many files";
    } else if (auto problem = walk_tree(child, path, depth + 1, out); !problem.empty()) {
      return problem;
    }
    path.pop_back();
  }
  return {};
}

// The v1 `files` list into `out`, pad files counted only in `v1_length`.
std::string read_v1_files(const value& files, std::vector<info_file>& out,
                          std::int64_t& v1_length) {
  const auto* list = std::get_if<bencode::list>(&files.data);
  if (list == nullptr || list->empty()) return "the v1 file list is empty or bad";
  if (list->size() > max_info_files) return "the metadata lists too many files";
  for (const auto& entry : *list) {
    const auto* length = entry.find("length");
    const auto* path = entry.find("path");
    const auto* parts = path ? std::get_if<bencode::list>(&path->data) : nullptr;
    if (!length || !length->as_int() || *length->as_int() < 0 || parts == nullptr ||
        parts->empty() || static_cast<int>(parts->size()) > max_info_depth) {
      return "the v1 file list has a bad entry";
    }
    info_file f{{}, *length->as_int()};
    for (const auto& part : *parts) {
      const auto* text = part.as_string();
      if (text == nullptr) return "the v1 file list has a bad entry";
      if (!util::is_path_component(*text)) return unsafe_component(*text);
      f.path.push_back(*text);
    }
    v1_length += f.length;
    const auto* attr = entry.find("attr");
    const bool pad = attr && attr->as_string() && attr->as_string()->find('p') != std::string::npos;
    if (!pad) out.push_back(std::move(f));
  }
  return {};
}

bool by_path(const info_file& a, const info_file& b) {
  return a.path < b.path;
}

}  // namespace

info_content read_info_files(std::string_view info) {
  info_content out;
  const auto root = bencode::parse(info);
  if (!root || !root->as_dict()) {
    out.error = "the info dictionary is not valid bencode";
    return out;
  }
  const auto* name = root->find("name");
  if (!name || !name->as_string()) {
    out.error = "the metadata has no name";
    return out;
  }
  out.name = *name->as_string();
  if (!util::is_path_component(out.name)) {
    out.error = unsafe_component(out.name);
    return out;
  }
  const auto* version = root->find("meta version");
  if (version != nullptr && (!version->as_int() || *version->as_int() != 2)) {
    out.error = "only BitTorrent v1, v2 or hybrid v1+v2 metadata is accepted";
    return out;
  }
  out.has_v2 = version != nullptr;
  out.has_v1 = root->find("pieces") != nullptr;
  if (!out.has_v1 && !out.has_v2) {
    out.error = "the metadata has neither v1 pieces nor a v2 file tree";
    return out;
  }

  std::vector<info_file> v2_files;
  bool v2_folder = false;
  if (out.has_v2) {
    const auto* tree = root->find("file tree");
    std::vector<std::string> path;
    if (tree == nullptr || !tree->as_dict()) {
      out.error = "the metadata has no file tree";
      return out;
    }
    if (auto problem = walk_tree(*tree, path, 0, v2_files); !problem.empty()) {
      out.error = std::move(problem);
      return out;
    }
    // One file named as the torrent, at the top: a single file, not a folder.
    v2_folder = !(v2_files.size() == 1 && v2_files[0].path == std::vector{out.name});
    if (!v2_folder) v2_files[0].path.clear();
  }

  std::vector<info_file> v1_files;
  bool v1_folder = false;
  if (out.has_v1) {
    const auto* length = root->find("length");
    const auto* files = root->find("files");
    if ((length == nullptr) == (files == nullptr)) {
      out.error = "the v1 part must have either a length or a file list";
      return out;
    }
    if (length != nullptr) {
      if (!length->as_int() || *length->as_int() < 0) {
        out.error = "the v1 part has a bad length";
        return out;
      }
      v1_files.push_back({{}, *length->as_int()});
      out.v1_length = *length->as_int();
    } else if (auto problem = read_v1_files(*files, v1_files, out.v1_length); !problem.empty()) {
      out.error = std::move(problem);
      return out;
    }
    v1_folder = files != nullptr;
  }

  std::sort(v1_files.begin(), v1_files.end(), by_path);
  std::sort(v2_files.begin(), v2_files.end(), by_path);
  if (out.has_v1 && out.has_v2) {
    const auto same = [](const info_file& a, const info_file& b) {
      return a.path == b.path && a.length == b.length;
    };
    // A single file has an empty path in both parts: the comparison tells folders apart too.
    if (v1_files.size() != v2_files.size() ||
        !std::equal(v1_files.begin(), v1_files.end(), v2_files.begin(), same)) {
      out.error = "the v1 and v2 parts of the metadata describe different files";
      return out;
    }
  }
  out.folder = out.has_v2 ? v2_folder : v1_folder;
  out.files = out.has_v2 ? std::move(v2_files) : std::move(v1_files);
  for (const auto& f : out.files) out.size += f.length;
  return out;
}

std::optional<std::string> ssl_cert_of(std::string_view info) {
  const auto root = bencode::parse(info);
  const auto* cert = root ? root->find("ssl-cert") : nullptr;
  if (cert == nullptr || !cert->as_string()) return std::nullopt;
  return std::string(*cert->as_string());
}

}  // namespace swarmhub::proto
