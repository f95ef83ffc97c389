#pragma once
// A file's content read back from disk and checked against its hashes on several threads:
// the check before a download is DONE (docs/architecture.md, "Done means on disk").
// libtorrent's own check (force_recheck) reads through its memory-mapped files on one hashing
// thread and takes about twice as long on two cores; the engine runs it only when this check
// fails, to learn which pieces to fetch again.

#include <stop_token>
#include <string>

namespace swarmhub::p2p {

// Whether the file (or folder) that the bencoded info dictionary `info` describes is on disk
// at `top`, whatever its name there: the file itself, or the folder holding the tree. Each
// file of v2 or hybrid metadata is checked against its Merkle root (over the SHA-256 of its
// 16 KiB blocks), each piece of v1 metadata against its SHA-1. False when `info` is no info
// dictionary, at the first mismatch, a missing or short file or a read error, and soon after
// `stop` is requested. Blocking: works on the calling thread and `threads - 1` more.
bool content_matches(const std::string& info, const std::string& top, unsigned threads,
                     std::stop_token stop = {});

}  // namespace swarmhub::p2p
