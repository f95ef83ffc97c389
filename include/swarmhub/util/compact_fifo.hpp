#pragma once
// A first-in first-out queue on one vector and a head index. Unlike std::deque (whose
// libstdc++ constructor allocates a 512-byte block and a map), an empty one holds no memory,
// and when it empties after a burst it gives back what the burst took: a tracker keeps one
// per connection, and most connections are idle.

#include <cstddef>
#include <vector>

namespace swarmhub::util {

template <class T>
class compact_fifo {
 public:
  using iterator = typename std::vector<T>::iterator;

  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  T& operator[](std::size_t i) { return items_[head_ + i]; }
  iterator begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }

  void push_back(T item) { items_.push_back(std::move(item)); }

  // Drops the first `n` (at most size()).
  void pop_front(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) items_[head_ + i] = T();
    head_ += n;
    if (empty()) {
      clear();
    } else if (head_ >= compact_after && head_ * 2 >= items_.size()) {
      // A queue that never empties (a steady stream) moves its live part to the front once
      // the dead part is the larger one: each item is moved O(1) times on average.
      items_.erase(items_.begin(), begin());
      head_ = 0;
    }
  }

  // Empties it and gives back all its memory (clear keeps a little, for the next burst).
  void release() {
    head_ = 0;
    std::vector<T>().swap(items_);
  }

  void clear() {
    head_ = 0;
    if (items_.capacity() > keep_capacity) {
      std::vector<T>().swap(items_);
    } else {
      items_.clear();
    }
  }

 private:
  static constexpr std::size_t compact_after = 256;
  static constexpr std::size_t keep_capacity = 4;  // what a request and its reply need
  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace swarmhub::util
