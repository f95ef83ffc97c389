#include "swarmhub/client/room_event_ids.hpp"

#include <charconv>

#include "swarmhub/proto/events.hpp"

namespace swarmhub::client {

bool room_event_ids::accept(proto::event& e) {
  const bool room = e.name == proto::events::room;
  if ((!room && e.name != proto::events::msg) || !e.text.starts_with('#')) return true;
  const auto space = e.text.find(' ');
  if (space == std::string::npos) return true;
  std::int64_t id = 0;
  const char* first = e.text.data() + 1;
  const char* last = e.text.data() + space;
  const auto [end, ec] = std::from_chars(first, last, id);
  if (ec != std::errc() || end != last || first == last) return true;  // not an id: as it came
  e.text.erase(0, space + 1);
  return room ? room_ids_.insert(id) : direct_ids_.insert(id);
}

}  // namespace swarmhub::client
