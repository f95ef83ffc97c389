#include "swarmhub/tracker/chat/fanout.hpp"

#include <atomic>
#include <unordered_map>
#include <utility>

#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/conn/io_contexts.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/core.hpp"

namespace swarmhub::tracker {
namespace {

// Where this thread's shard job takes the sessions it queued a batch into (hand_out), while
// it queues; null at any other time.
thread_local std::deque<std::shared_ptr<session>>* queued_sessions = nullptr;

// A shard writes at least this many sessions before it stops for the next batch: so that a
// burst of commits cannot leave the shard queueing batches and writing almost nothing.
constexpr std::size_t writes_before_yield = 32;

}  // namespace

// `then` runs when the last shard job of a publish() ends.
struct room_fanout::countdown {
  std::atomic<std::size_t> left;
  std::function<void()> then;
  void one_done() {
    if (left.fetch_sub(1, std::memory_order_acq_rel) == 1 && then) then();
  }
};

void room_fanout::start(const std::vector<asio::any_io_executor>& shard_homes) {
  shards_.clear();
  for (const auto& home : shard_homes)
    shards_.push_back(std::make_unique<shard>(asio::make_strand(home)));
}

void room_fanout::stop() {
  shards_.clear();
}

bool room_fanout::write_later(const std::shared_ptr<session>& s) {
  if (queued_sessions == nullptr) return false;
  queued_sessions->push_back(s);
  return true;
}

void room_fanout::publish(
    tracker_core& core, const std::vector<std::pair<store::room_message, std::uint64_t>>& messages,
    std::function<void()> then) {
  const std::size_t shards = shard_count();
  std::vector<std::shared_ptr<const room_batch>> batches;
  auto batch = std::make_shared<room_batch>();
  std::unordered_map<std::string, unsigned> room_index;
  for (const auto& [m, sender_session] : messages) {
    const std::string name = chat::room_name(m);
    std::string key = room_registry::key(name);
    auto found = room_index.find(key);
    if (found == room_index.end()) {
      if (batch->rooms.size() == room_batch::max_rooms) {
        batches.push_back(std::move(batch));
        batch = std::make_shared<room_batch>();
        room_index.clear();
      }
      room_batch::room r{key, std::vector<std::vector<std::shared_ptr<session>>>(shards)};
      for (auto& s : core.rooms.subscribers(name))
        r.shards[home_thread(s->id(), shards)].push_back(std::move(s));
      found = room_index.emplace(std::move(key), static_cast<unsigned>(batch->rooms.size())).first;
      batch->rooms.push_back(std::move(r));
    }
    batch->messages.push_back(room_batch::message{chat::room_event(m), chat::room_event(m, true),
                                                  m.id, m.sent_at_ms, sender_session,
                                                  found->second});
    core.log.append(m.sent_at_ms, name, m.sender, m.body);
  }
  if (!batch->messages.empty()) batches.push_back(std::move(batch));

  if (shards_.empty()) {  // not started: deliver from here
    for (const auto& b : batches) deliver_shard(b, 0);
    if (then) then();
    return;
  }
  auto done = std::make_shared<countdown>();
  done->left = batches.size() * shards;
  done->then = std::move(then);
  if (batches.empty()) {
    if (done->then) done->then();
    return;
  }
  for (const auto& b : batches) {
    for (std::size_t k = 0; k < shards; ++k) {
      shard& sh = *shards_[k];
      sh.waiting.fetch_add(1, std::memory_order_relaxed);
      asio::post(sh.strand, [&sh, b, k, done] {
        hand_out(sh, b, k);
        done->one_done();
        write_queued(sh);
      });
    }
  }
}

void room_fanout::hand_out(shard& sh, const std::shared_ptr<const room_batch>& batch,
                           std::size_t index) {
  sh.waiting.fetch_sub(1, std::memory_order_relaxed);
  struct collecting {
    explicit collecting(std::deque<std::shared_ptr<session>>& into) { queued_sessions = &into; }
    ~collecting() { queued_sessions = nullptr; }
    collecting(const collecting&) = delete;
    collecting& operator=(const collecting&) = delete;
  } scope(sh.to_write);
  deliver_shard(batch, index);
}

void room_fanout::write_queued(shard& sh) {
  // A job that takes over from one that stopped early writes every session left: no session
  // waits for more than two batches to be queued.
  const bool may_stop = !std::exchange(sh.took_over, false);
  for (std::size_t written = 0; !sh.to_write.empty(); ++written) {
    if (may_stop && written >= writes_before_yield &&
        sh.waiting.load(std::memory_order_relaxed) > 0) {
      sh.took_over = true;
      return;
    }
    const auto s = std::move(sh.to_write.front());
    sh.to_write.pop_front();
    s->write_for_fanout();
  }
}

void room_fanout::deliver_shard(const std::shared_ptr<const room_batch>& batch, std::size_t shard) {
  if (batch->rooms.size() == 1) {
    for (const auto& s : batch->rooms[0].shards[shard]) s->deliver_batch(batch, 1);
    return;
  }
  // A session in several of the batch's rooms gets the batch once, with all their bits, so
  // that it sees their messages interleaved in commit order.
  std::unordered_map<session*, std::pair<std::shared_ptr<session>, std::uint64_t>> masks;
  for (unsigned r = 0; r < batch->rooms.size(); ++r) {
    for (const auto& s : batch->rooms[r].shards[shard]) {
      auto& [who, mask] = masks[s.get()];
      if (!who) who = s;
      mask |= std::uint64_t{1} << r;
    }
  }
  for (auto& [key, target] : masks) target.first->deliver_batch(batch, target.second);
}

}  // namespace swarmhub::tracker
