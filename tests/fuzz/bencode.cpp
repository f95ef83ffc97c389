// libFuzzer: the bencode reader (info dictionaries a client registers with the tracker).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "swarmhub/proto/bencode_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)swarmhub::proto::bencode::parse(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
