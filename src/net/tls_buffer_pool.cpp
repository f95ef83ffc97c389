#include "swarmhub/net/tls_buffer_pool.hpp"

#include <openssl/crypto.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace swarmhub::net {
namespace {

// Each allocation starts with this header (16 bytes keeps malloc's alignment): its size and
// where it came from, for free and realloc.
struct header {
  std::size_t size;
  std::size_t origin;
};
static_assert(sizeof(header) == 16);

constexpr std::size_t from_malloc = 0x6d616c6c6f63;  // "malloc"
constexpr std::size_t from_pool = 0x706f6f6c;        // "pool"

// A record buffer (16384 bytes of plaintext plus TLS overhead: 16712 to read, 16584 to
// write in OpenSSL 3.0) fits one block of five pages.
constexpr std::size_t block_size = 20 * 1024;
constexpr std::size_t pooled_min = 16 * 1024;
constexpr std::size_t pooled_max = block_size - sizeof(header);
// Free blocks kept for reuse (1.25 MiB); more are unmapped.
constexpr std::size_t keep_free = 64;

std::mutex pool_mutex;
std::vector<void*>& free_blocks() {
  static auto* blocks = [] {
    auto* v = new std::vector<void*>();
    v->reserve(keep_free);
    return v;
  }();
  return *blocks;
}

bool pooled(std::size_t size) {
  return size >= pooled_min && size <= pooled_max;
}

void* take_block() {
  {
    std::lock_guard lock(pool_mutex);
    auto& blocks = free_blocks();
    if (!blocks.empty()) {
      void* block = blocks.back();
      blocks.pop_back();
      return block;
    }
  }
  void* block =
      ::mmap(nullptr, block_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return block == MAP_FAILED ? nullptr : block;
}

void give_block(void* block) {
  {
    std::lock_guard lock(pool_mutex);
    auto& blocks = free_blocks();
    if (blocks.size() < keep_free) {
      blocks.push_back(block);
      return;
    }
  }
  ::munmap(block, block_size);
}

header* header_of(void* p) {
  return static_cast<header*>(p) - 1;
}

void* pool_malloc(std::size_t size, const char*, int) {
  header* h = nullptr;
  if (pooled(size)) {
    h = static_cast<header*>(take_block());
    if (h) h->origin = from_pool;
  } else {
    h = static_cast<header*>(std::malloc(size + sizeof(header)));
    if (h) h->origin = from_malloc;
  }
  if (!h) return nullptr;
  h->size = size;
  return h + 1;
}

void pool_free(void* p, const char*, int) {
  if (!p) return;
  header* h = header_of(p);
  if (h->origin == from_pool) {
    give_block(h);
  } else {
    std::free(h);
  }
}

void* pool_realloc(void* p, std::size_t size, const char* file, int line) {
  if (!p) return pool_malloc(size, file, line);
  if (size == 0) {
    pool_free(p, file, line);
    return nullptr;
  }
  header* h = header_of(p);
  if (h->origin == from_malloc && !pooled(size)) {
    auto* grown = static_cast<header*>(std::realloc(h, size + sizeof(header)));
    if (!grown) return nullptr;
    grown->size = size;
    return grown + 1;
  }
  void* moved = pool_malloc(size, file, line);
  if (!moved) return nullptr;
  std::memcpy(moved, p, std::min(size, h->size));
  pool_free(p, file, line);
  return moved;
}

}  // namespace

bool install_tls_buffer_pool() {
  return CRYPTO_set_mem_functions(pool_malloc, pool_realloc, pool_free) == 1;
}

}  // namespace swarmhub::net
