#include "swarmhub/tracker/core.hpp"

#include <sodium.h>

#include "swarmhub/util/hex.hpp"

namespace swarmhub::tracker {

std::string make_tracker_id(const tracker_options& options) {
  unsigned char random[6];
  randombytes_buf(random, sizeof random);
  return options.listen.to_string() + "/" +
         util::to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
}

}  // namespace swarmhub::tracker
