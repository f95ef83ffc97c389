// libFuzzer: what the client reads from a tracker: lines into replies and events.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "swarmhub/proto/line_framer.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace swarmhub;
  proto::line_framer framer(1024);
  proto::reply_parser parser;
  framer.append(std::string_view(reinterpret_cast<const char*>(data), size));
  while (auto f = framer.next()) {
    if (f->what != proto::frame::kind::line) continue;
    const auto parsed = parser.feed(f->text);
    if (const auto* r = std::get_if<proto::reply>(&parsed)) {
      for (const auto& line : r->data) {
        const auto [key, value] = proto::split_verb(line);
        (void)proto::split_arguments(value, 1, false);
        (void)util::is_path_component(value);
      }
      (void)util::escaped_lines(r->text);
    }
  }
  return 0;
}
