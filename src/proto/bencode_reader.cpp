#include "swarmhub/proto/bencode_reader.hpp"

#include <charconv>

namespace swarmhub::proto::bencode {
namespace {

class reader {
 public:
  explicit reader(std::string_view text) : text_(text) {}

  std::optional<value> read(int depth) {
    if (depth < 0 || pos_ >= text_.size()) return std::nullopt;
    const char c = text_[pos_];
    if (c == 'i') {
      ++pos_;
      const auto end = text_.find('e', pos_);
      if (end == std::string_view::npos) return std::nullopt;
      std::int64_t n = 0;
      const auto digits = text_.substr(pos_, end - pos_);
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size())
        return std::nullopt;
      pos_ = end + 1;
      return value{n};
    }
    if (c == 'l' || c == 'd') {
      ++pos_;
      list items;
      dict members;
      while (pos_ < text_.size() && text_[pos_] != 'e') {
        if (c == 'l') {
          auto item = read(depth - 1);
          if (!item) return std::nullopt;
          items.push_back(std::move(*item));
        } else {
          auto key = read_string();
          if (!key) return std::nullopt;
          auto item = read(depth - 1);
          if (!item) return std::nullopt;
          members.insert_or_assign(std::move(*key), std::move(*item));
        }
      }
      if (pos_ >= text_.size()) return std::nullopt;
      ++pos_;  // 'e'
      if (c == 'l') return value{std::move(items)};
      return value{std::move(members)};
    }
    auto s = read_string();
    if (!s) return std::nullopt;
    return value{std::move(*s)};
  }

  bool at_end() const { return pos_ == text_.size(); }

 private:
  std::optional<std::string> read_string() {
    const auto colon = text_.find(':', pos_);
    if (colon == std::string_view::npos) return std::nullopt;
    std::size_t length = 0;
    const auto digits = text_.substr(pos_, colon - pos_);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size())
      return std::nullopt;
    if (length > text_.size() - colon - 1) return std::nullopt;
    std::string out(text_.substr(colon + 1, length));
    pos_ = colon + 1 + length;
    return out;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

const value* value::find(std::string_view key) const {
  const auto* d = as_dict();
  if (d == nullptr) return nullptr;
  const auto it = d->find(key);
  return it == d->end() ? nullptr : &it->second;
}

std::optional<value> parse(std::string_view text, int max_depth) {
  reader r(text);
  auto v = r.read(max_depth);
  if (!v || !r.at_end()) return std::nullopt;
  return v;
}

}  // namespace swarmhub::proto::bencode
