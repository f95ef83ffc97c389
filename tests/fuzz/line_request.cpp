// libFuzzer: the tracker's way in for the line protocol: bytes -> frames -> verb and arguments.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "swarmhub/proto/commands.hpp"
#include "swarmhub/proto/line_framer.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace swarmhub;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  proto::line_framer framer(256);  // small, so the too-long path is reached
  // Split the input in two appends, as bytes arrive in pieces from a socket.
  const std::size_t half = size / 2;
  for (const auto piece : {bytes.substr(0, half), bytes.substr(half)}) {
    framer.append(piece);
    while (auto f = framer.next()) {
      if (f->what != proto::frame::kind::line) continue;
      if (!util::is_valid_utf8(f->text) || util::has_control_chars(f->text)) continue;
      const auto [verb, rest] = proto::split_verb(f->text);
      (void)proto::find_command(verb);
      (void)proto::split_arguments(rest, 3, true);
      (void)proto::split_arguments(rest, 8, false);
      (void)util::printable(f->text);
      (void)util::escaped(f->text);
    }
  }
  return 0;
}
