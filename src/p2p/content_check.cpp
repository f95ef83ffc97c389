#include "swarmhub/p2p/content_check.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <libtorrent/hasher.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "swarmhub/proto/piece_layers.hpp"

namespace swarmhub::p2p {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t block_bytes = proto::merkle_block_bytes;
constexpr std::int64_t blocks_per_read = 64;  // 1 MiB reads
constexpr std::size_t hash_bytes = proto::layer_hash_bytes;

// A file's place in vectors kept by file index.
std::size_t slot(lt::file_index_t f) {
  return static_cast<std::size_t>(static_cast<int>(f));
}

// Where each file of the torrent is on disk: `top` for a single file, the file's place below
// `top` for a folder's (the torrent's own top folder may have another name there). Each read
// opens the file for itself: a folder may hold more files than the process may keep open.
class content_files {
 public:
  content_files(const lt::torrent_info& torrent, const std::string& top) {
    const auto& files = torrent.files();
    for (const auto f : files.file_range()) {
      const fs::path in_torrent = files.file_path(f);
      if (files.pad_file_at(f)) {
        paths_.emplace_back();  // never on disk: zeros
      } else if (!in_torrent.has_parent_path()) {
        paths_.push_back(top);
      } else {
        paths_.push_back((fs::path(top) / in_torrent.lexically_relative(torrent.name())).string());
      }
    }
  }

  // Reads exactly `size` bytes of file `f` at `offset` into `out` (zeros for a pad file);
  // false on an error or a short or missing file.
  bool read(lt::file_index_t f, std::int64_t offset, std::int64_t size, char* out) const {
    const auto& path = paths_[slot(f)];
    if (path.empty()) {
      std::memset(out, 0, static_cast<std::size_t>(size));
      return true;
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    while (size > 0) {
      const auto got = ::pread(fd, out, static_cast<std::size_t>(size), offset);
      if (got <= 0) break;
      out += got;
      offset += got;
      size -= got;
    }
    ::close(fd);
    return size == 0;
  }

 private:
  std::vector<std::string> paths_;  // by file index; "" for a pad file
};

// Runs `work(worker_buffer)` on the calling thread and threads - 1 more, each with a buffer
// of its own; every call takes its share of the work until there is none left. False when
// any of them threw (its share is then unchecked).
template <typename Work>
bool on_threads(unsigned threads, std::size_t buffer_bytes, const Work& work) {
  std::atomic<bool> threw{false};
  const auto run = [&] {
    try {
      std::vector<char> buffer(buffer_bytes);
      work(buffer.data());
    } catch (...) {
      threw = true;
    }
  };
  {
    std::vector<std::jthread> more;
    for (unsigned i = 1; i < threads; ++i) more.emplace_back(run);
    run();
  }
  return !threw;
}

// v2 (and hybrid): each file's tree, from the roots of its subtrees of blocks_per_read leaves
// (a power of two, so that the tree over them is the file's: 32 bytes kept per MiB).
bool v2_matches(const lt::file_storage& files, const content_files& disk, unsigned threads,
                const std::stop_token& stop) {
  struct subtree {
    lt::file_index_t file;
    std::int64_t index;  // in its file, each blocks_per_read blocks
  };
  std::vector<subtree> work;
  std::vector<std::string> roots(static_cast<std::size_t>(files.num_files()));
  for (const auto f : files.file_range()) {
    if (files.pad_file_at(f) || files.file_size(f) == 0) continue;
    const auto blocks = (files.file_size(f) + block_bytes - 1) / block_bytes;
    const auto subtrees = (blocks + blocks_per_read - 1) / blocks_per_read;
    roots[slot(f)].resize(static_cast<std::size_t>(subtrees) * hash_bytes);
    for (std::int64_t i = 0; i < subtrees; ++i) work.push_back({f, i});
  }
  const std::string zero(hash_bytes, '\0');
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  const bool ran = on_threads(threads, blocks_per_read * block_bytes, [&](char* buffer) {
    std::string leaves;
    for (auto i = next++; i < work.size() && !failed && !stop.stop_requested(); i = next++) {
      const auto [f, index] = work[i];
      const auto offset = index * blocks_per_read * block_bytes;
      const auto size = std::min(blocks_per_read * block_bytes, files.file_size(f) - offset);
      if (!disk.read(f, offset, size, buffer)) {
        failed = true;
        return;
      }
      leaves.clear();
      for (std::int64_t at = 0; at < size; at += block_bytes) {
        const auto hash =
            lt::hasher256(lt::span<char const>(buffer + at, std::min(block_bytes, size - at)))
                .final();
        leaves.append(hash.data(), hash_bytes);
      }
      // A file of one subtree has the tree of its own blocks; a longer one has whole subtrees
      // (their leaves past the file's end are zero hashes).
      if (files.file_size(f) > blocks_per_read * block_bytes) {
        while (leaves.size() < blocks_per_read * hash_bytes) leaves += zero;
      }
      // Each worker writes only its own subtree's bytes (through data(): replace() would
      // also write the string's length, which every worker shares).
      const auto root = proto::merkle_root(leaves, zero);
      std::memcpy(roots[slot(f)].data() + static_cast<std::size_t>(index) * hash_bytes, root.data(),
                  hash_bytes);
    }
  });
  if (!ran || failed || stop.stop_requested()) return false;
  const auto subtree_pad = proto::zero_tree_root(blocks_per_read);
  for (const auto f : files.file_range()) {
    const auto& subtree_roots = roots[slot(f)];
    if (subtree_roots.empty()) continue;
    const auto root = files.root(f);
    if (proto::merkle_root(subtree_roots, subtree_pad) != std::string_view(root.data(), hash_bytes))
      return false;
  }
  return true;
}

// v1: each piece's SHA-1, over the files it spans.
bool v1_matches(const lt::torrent_info& torrent, const content_files& disk, unsigned threads,
                const std::stop_token& stop) {
  const auto& files = torrent.files();
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  const auto read_bytes = blocks_per_read * block_bytes;
  const bool ran = on_threads(threads, static_cast<std::size_t>(read_bytes), [&](char* buffer) {
    for (int p = next++; p < torrent.num_pieces() && !failed && !stop.stop_requested();
         p = next++) {
      const lt::piece_index_t piece{p};
      lt::hasher sha1;
      for (const auto& slice : files.map_block(piece, 0, files.piece_size(piece))) {
        for (std::int64_t at = 0; at < slice.size; at += read_bytes) {
          const auto size = std::min(read_bytes, slice.size - at);
          if (!disk.read(slice.file_index, slice.offset + at, size, buffer)) {
            failed = true;
            return;
          }
          sha1.update(lt::span<char const>(buffer, size));
        }
      }
      if (sha1.final() != torrent.hash_for_piece(piece)) {
        failed = true;
        return;
      }
    }
  });
  return ran && !failed && !stop.stop_requested();
}

}  // namespace

bool content_matches(const std::string& info, const std::string& top, unsigned threads,
                     std::stop_token stop) {
  try {
    const std::string wrapped = "d4:info" + info + "e";
    lt::error_code ec;
    const lt::torrent_info torrent(
        lt::span<char const>(wrapped.data(), static_cast<long>(wrapped.size())), ec, lt::from_span);
    if (ec) return false;
    const content_files disk(torrent, top);
    threads = std::max(1U, threads);
    return torrent.v2() ? v2_matches(torrent.files(), disk, threads, stop)
                        : v1_matches(torrent, disk, threads, stop);
  } catch (const std::exception&) {
    return false;  // no memory or no thread for it: nothing was shown to match
  }
}

}  // namespace swarmhub::p2p
