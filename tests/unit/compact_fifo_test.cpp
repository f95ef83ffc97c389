// The per-connection output queue's container.

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <string>

#include "swarmhub/util/compact_fifo.hpp"

namespace swarmhub::util {
namespace {

TEST(CompactFifo, KeepsOrderAcrossPopsAndCompaction) {
  compact_fifo<std::string> fifo;
  EXPECT_TRUE(fifo.empty());
  std::deque<std::string> model;
  std::mt19937 random(3);
  int next = 0;
  for (int step = 0; step < 20000; ++step) {
    if (random() % 3 != 0) {
      fifo.push_back(std::to_string(next));
      model.push_back(std::to_string(next++));
    } else if (!model.empty()) {
      const std::size_t n = 1 + random() % model.size();
      fifo.pop_front(n);
      model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
    }
    ASSERT_EQ(fifo.size(), model.size());
    if (!model.empty()) {
      ASSERT_EQ(fifo[0], model.front());
      ASSERT_EQ(fifo[fifo.size() - 1], model.back());
    }
  }
  EXPECT_EQ(std::string(*fifo.begin()), model.empty() ? std::string() : model.front());
}

TEST(CompactFifo, FindsFromTheHead) {
  compact_fifo<int> fifo;
  for (int i = 0; i < 10; ++i) fifo.push_back(i);
  fifo.pop_front(4);
  EXPECT_EQ(*fifo.begin(), 4);
  EXPECT_EQ(std::find(fifo.begin(), fifo.end(), 2), fifo.end());  // popped
  EXPECT_NE(std::find(fifo.begin(), fifo.end(), 7), fifo.end());
  fifo.pop_front(6);
  EXPECT_TRUE(fifo.empty());
  EXPECT_EQ(fifo.begin(), fifo.end());
}

TEST(CompactFifo, ReleasedItIsEmptyAndUsable) {
  compact_fifo<std::string> fifo;
  for (int i = 0; i < 3; ++i) fifo.push_back(std::to_string(i));
  fifo.pop_front(2);
  fifo.release();
  EXPECT_TRUE(fifo.empty());
  EXPECT_EQ(fifo.size(), 0u);
  fifo.push_back("again");
  ASSERT_EQ(fifo.size(), 1u);
  EXPECT_EQ(fifo[0], "again");
}

}  // namespace
}  // namespace swarmhub::util
