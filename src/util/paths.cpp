#include "swarmhub/util/paths.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <pwd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace swarmhub::util {

std::string expand_tilde(std::string_view path, std::string_view home) {
  if (home.empty() || !path.starts_with('~')) return std::string(path);
  if (path.size() == 1) return std::string(home);
  if (path[1] != '/') return std::string(path);  // ~user: not ours to guess
  std::string out(home);
  if (out.ends_with('/')) out.pop_back();
  out.append(path.substr(1));
  return out;
}

std::string expand_tilde(std::string_view path) {
  if (!path.starts_with('~')) return std::string(path);
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return expand_tilde(path, home);
  }
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
    return expand_tilde(path, pw->pw_dir);
  }
  return std::string(path);
}

namespace {

// FICLONE into a new file; false (and no file left behind) where it is not supported.
bool reflink(const std::string& from, const std::string& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out < 0) {
    ::close(in);
    return false;
  }
  const bool cloned = ::ioctl(out, FICLONE, in) == 0;
  ::close(in);
  ::close(out);
  if (!cloned) ::unlink(to.c_str());
  return cloned;
}

}  // namespace

clone_result clone_file(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  if (reflink(from, to)) return {clone_method::reflink, {}};
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (!ec) return {clone_method::hard_link, {}};
  fs::copy_file(from, to, fs::copy_options::none, ec);
  if (ec) return {clone_method::copy, ec.message()};
  return {clone_method::copy, {}};
}

clone_result clone_tree(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::create_directory(to, ec) || ec) {
    return {clone_method::copy, ec ? ec.message() : to + " exists"};
  }
  clone_result last;
  fs::recursive_directory_iterator it(from, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const auto st = it->symlink_status(ec);
    if (ec) break;
    const fs::path target = fs::path(to) / fs::path(it->path()).lexically_relative(from);
    if (fs::is_directory(st)) {
      fs::create_directory(target, ec);
    } else if (fs::is_regular_file(st)) {
      last = clone_file(it->path().string(), target.string());
      if (!last.error.empty()) return last;
    }
  }
  if (ec) return {clone_method::copy, ec.message()};
  return last;
}

std::string_view to_string(clone_method how) {
  switch (how) {
    case clone_method::reflink:
      return "reflink";
    case clone_method::hard_link:
      return "hard link";
    case clone_method::copy:
      return "copy";
  }
  return "copy";
}

}  // namespace swarmhub::util
