#include "swarmhub/tracker/chat/pairing.hpp"

namespace swarmhub::tracker {

pairing::result pairing::request(const pair_member& me) {
  const std::lock_guard lock(mutex_);
  if (auto it = partners_.find(me.session_id); it != partners_.end()) {
    return {outcome::already_paired, it->second};
  }
  if (waiting_ && waiting_->session_id == me.session_id) return {outcome::still_waiting, {}};
  if (!waiting_) {
    waiting_ = me;
    return {outcome::waiting, {}};
  }
  pair_member partner = *waiting_;
  waiting_.reset();
  partners_[me.session_id] = partner;
  partners_[partner.session_id] = me;
  return {outcome::paired, partner};
}

std::optional<pairing::departure> pairing::leave(std::uint64_t session_id) {
  const std::lock_guard lock(mutex_);
  if (waiting_ && waiting_->session_id == session_id) waiting_.reset();
  const auto it = partners_.find(session_id);
  if (it == partners_.end()) return std::nullopt;
  departure out{it->second, std::nullopt};
  partners_.erase(it);
  partners_.erase(out.left_behind.session_id);
  if (waiting_) {
    out.new_partner = *waiting_;
    waiting_.reset();
    partners_[out.left_behind.session_id] = *out.new_partner;
    partners_[out.new_partner->session_id] = out.left_behind;
  }
  return out;
}

std::optional<pair_member> pairing::partner_of(std::uint64_t session_id) const {
  const std::lock_guard lock(mutex_);
  const auto it = partners_.find(session_id);
  if (it == partners_.end()) return std::nullopt;
  return it->second;
}

bool pairing::waiting(std::uint64_t session_id) const {
  const std::lock_guard lock(mutex_);
  return waiting_ && waiting_->session_id == session_id;
}

}  // namespace swarmhub::tracker
