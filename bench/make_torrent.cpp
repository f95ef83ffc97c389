// make_torrent: a BitTorrent v1 .torrent of one file, for the programs we compare with
// (aria2c speaks v1 only). Same piece size as ours: libtorrent's choice for the size.
//
//   make_torrent FILE ANNOUNCE_URL OUT.torrent     prints the info-hash (hex SHA-1)

#include <libtorrent/create_torrent.hpp>
#include <libtorrent/torrent_info.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace lt = libtorrent;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: make_torrent FILE ANNOUNCE_URL OUT.torrent\n");
    return 2;
  }
  const auto file = std::filesystem::absolute(argv[1]);
  lt::file_storage files;
  lt::add_files(files, file.string());
  lt::create_torrent maker(files, 0, lt::create_torrent::v1_only);
  maker.add_tracker(argv[2]);
  lt::error_code ec;
  lt::set_piece_hashes(maker, file.parent_path().string(), ec);
  if (ec) {
    std::fprintf(stderr, "make_torrent: %s\n", ec.message().c_str());
    return 1;
  }
  std::vector<char> bytes;
  lt::bencode(std::back_inserter(bytes), maker.generate());
  std::ofstream(argv[3], std::ios::binary).write(bytes.data(), static_cast<long>(bytes.size()));
  const lt::torrent_info info(lt::span<const char>(bytes.data(), static_cast<long>(bytes.size())),
                              lt::from_span);
  const auto hash = info.info_hashes().v1;
  for (const auto byte : hash) std::printf("%02x", static_cast<unsigned char>(byte));
  std::printf(" piece_length=%d\n", info.piece_length());
  return 0;
}
