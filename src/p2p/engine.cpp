#include "swarmhub/p2p/engine.hpp"

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/ip_filter.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <map>
#include <stdexcept>
#include <thread>

#include "metadata_server.hpp"
#include "swarmhub/net/group_ca.hpp"
#include "swarmhub/p2p/content_check.hpp"
#include "swarmhub/proto/info_files.hpp"
#include "swarmhub/util/cpu_affinity.hpp"
#include "swarmhub/util/hex.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::p2p {
namespace {

namespace fs = std::filesystem;

// Group names are the tracker's, which folds their case: `Rust` typed by the user and `rust`
// in a tracker's event are one group.
bool same_group(std::string_view a, std::string_view b) {
  return util::iequals_ascii(a, b);
}

std::string hex_of(const lt::sha256_hash& hash) {
  return util::to_hex(std::string_view(hash.data(), static_cast<std::size_t>(hash.size())));
}

// "a:0,b:0" -> "a:0,b:0,a:0s,b:0s": the "s" suffix is libtorrent 2.0's TLS listener, where
// sealed torrents' peers connect (a sealed torrent announces that port).
std::string with_tls_listeners(const std::string& listen) {
  std::string tls;
  std::size_t start = 0;
  while (start <= listen.size()) {
    auto end = listen.find(',', start);
    if (end == std::string::npos) end = listen.size();
    const auto entry = listen.substr(start, end - start);
    if (!entry.empty() && entry.back() != 's') tls += "," + entry + "s";
    start = end + 1;
  }
  return listen + tls;
}

// Settings for LAN and loopback swarms (see docs/architecture.md): TCP only, no peer
// discovery beyond the tracker, several connections per address (peers on one host).
lt::settings_pack settings(const engine_options& options) {
  lt::settings_pack p = lt::high_performance_seed();
  p.set_str(lt::settings_pack::listen_interfaces, with_tls_listeners(options.listen));
  p.set_bool(lt::settings_pack::enable_dht, false);
  p.set_bool(lt::settings_pack::enable_lsd, false);
  p.set_bool(lt::settings_pack::enable_upnp, false);
  p.set_bool(lt::settings_pack::enable_natpmp, false);
  p.set_bool(lt::settings_pack::enable_outgoing_utp, false);
  p.set_bool(lt::settings_pack::enable_incoming_utp, false);
  p.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
  // Two members that learn of each other at once (their announces answered together, as when
  // one shares a sealed group's file and the other fetches it at once: both wait for the
  // group's certificate, which comes in one batch) each dial the other. Allowing several
  // connections per address, libtorrent then takes each side's incoming connection for a
  // duplicate of its outgoing one and drops it, and both connections go. A peer is tried
  // again after 3 s (times its failures) instead of libtorrent's 60, which stalled such a
  // download for a minute.
  p.set_int(lt::settings_pack::min_reconnect_time, 3);
  // Every tracker of the list knows every peer: a client that moves to another tracker, or
  // a tracker that dies, takes no peer out of a swarm.
  p.set_bool(lt::settings_pack::announce_to_all_tiers, true);
  p.set_bool(lt::settings_pack::announce_to_all_trackers, true);
  p.set_int(lt::settings_pack::stop_tracker_timeout, 1);
  // Disk threads write, read and hash each piece as it comes (the network thread does TLS).
  // high_performance_seed starts 8, for a server with many disks; on 2 cores they cost more
  // than they give: 1 GiB from one seeder took 5.2-5.4 s with 8 and 3.8-4.0 s with 1
  // (docs/benchmarks.md, "File transfer"). Half the cores, 1 to 8.
  p.set_int(lt::settings_pack::aio_threads,
            static_cast<int>(std::clamp<std::size_t>(util::allowed_cpus().size() / 2, 1, 8)));
  // high_performance_seed closes a connection as soon as both ends are seeds. A sealed
  // torrent's connection is TLS: closing it sends close_notify and waits up to 3 s for the
  // other's (libtorrent's socket_closer), and when both ends close at once that wait runs out
  // in about one download in five, holding a client's exit 2.5 s after DOWNLOAD_DONE. Seeds
  // now stay connected to each other: libtorrent parts idle peers only near its connection
  // limit, so each of N seeds keeps up to N - 1 idle connections (and counts them as peers).
  p.set_bool(lt::settings_pack::close_redundant_connections, false);
  p.set_int(lt::settings_pack::download_rate_limit, options.download_limit);
  p.set_int(lt::settings_pack::upload_rate_limit, options.upload_limit);
  p.set_int(lt::settings_pack::alert_mask,
            lt::alert_category::status | lt::alert_category::error | lt::alert_category::storage);
  return p;
}

std::string sha256_hex(lt::span<char const> bytes) {
  lt::hasher256 hasher(bytes);
  return hex_of(hasher.final());
}

// The torrent of a whole .torrent, or of only an info dictionary: then a v2 torrent's piece
// layers come from the peers (BEP 52 hash requests).
std::shared_ptr<lt::torrent_info> parse_torrent(const std::string& torrent,
                                                const std::string& info) {
  const std::string wrapped = torrent.empty() ? "d4:info" + info + "e" : std::string();
  const std::string& text = torrent.empty() ? wrapped : torrent;
  lt::error_code ec;
  auto ti = std::make_shared<lt::torrent_info>(
      lt::span<char const>(text.data(), static_cast<long>(text.size())), ec, lt::from_span);
  if (ec) throw std::runtime_error("bad metadata: " + ec.message());
  return ti;
}

std::shared_ptr<lt::torrent_info> torrent_of(const metadata& meta) {
  // Before libtorrent reads it: it would quietly rewrite an unsafe path instead of refusing.
  if (const auto content = proto::read_info_files(meta.info); !content.error.empty())
    throw std::runtime_error(content.error);
  auto ti = parse_torrent(meta.torrent, meta.info);
  // The SHA-256 of the info dictionary names a file in every format (for v2 it is the
  // info-hash itself), so v1 metadata is checked as strictly as v2.
  if (sha256_hex(ti->info_section()) != meta.info_hash) {
    throw std::runtime_error("the metadata does not match its info-hash");
  }
  return ti;
}

// An empty file has no pieces, so no torrent: its v2 metadata is written by hand and it is
// "transferred" by creating it.
metadata describe_empty(const std::string& name) {
  const auto text = [](const std::string& s) { return std::to_string(s.size()) + ":" + s; };
  metadata out;
  out.name = name;
  out.size = 0;
  out.info = "d9:file treed" + text(name) + "d0:d6:lengthi0eeee12:meta versioni2e4:name" +
             text(name) + "12:piece lengthi16384ee";
  lt::hasher256 hasher(out.info);
  out.info_hash = hex_of(hasher.final());
  return out;
}

// libtorrent puts LAN and loopback peers in its local class, which no rate limit reaches;
// here every address is in the global class, where the session's limits are.
lt::ip_filter every_peer_limited() {
  const auto global = 1U << static_cast<std::uint32_t>(lt::session::global_peer_class_id);
  lt::ip_filter filter;
  filter.add_rule(lt::make_address("0.0.0.0"), lt::make_address("255.255.255.255"), global);
  filter.add_rule(lt::make_address("::"),
                  lt::make_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), global);
  return filter;
}

// A v1 torrent without a root certificate: what files uploaded into an open group are made
// as (a sealed group's are SSL torrents, v2 or hybrid; files from before groups had modes,
// v2 or hybrid). Only these give their metadata to peers (metadata_server.hpp): a member's
// own client may then start from a magnet link, and no sealed group's file is ever described
// to a peer.
bool made_for_open_group(const lt::torrent_info& ti) {
  return ti.ssl_cert().empty() && !ti.info_hashes().has_v2();
}

// Rechecks of a finished download that may find pieces missing before it fails.
constexpr int max_rechecks = 3;

// A folder's files sit below its name; a single file is at the top. (Not the file count: a v2
// or hybrid single file has pad files beside it.)
bool is_folder(const lt::file_storage& files) {
  for (const auto index : files.file_range()) {
    if (!files.pad_file_at(index) && fs::path(files.file_path(index)).has_parent_path())
      return true;
  }
  return false;
}

// A folder is shared as it is: only files and folders, none of them a symbolic link (which
// could lead out of it, or round in a loop).
void check_folder(const fs::path& folder) {
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const auto st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_symlink(st)) {
      throw std::runtime_error(it->path().string() +
                               " is a symbolic link; a folder is shared without them");
    }
    if (!fs::is_directory(st) && !fs::is_regular_file(st)) {
      throw std::runtime_error(it->path().string() + " is neither a file nor a folder");
    }
  }
  if (ec) throw std::runtime_error("cannot read " + folder.string() + ": " + ec.message());
}

bool safe_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of("/\\") == std::string::npos;
}

}  // namespace

metadata describe_file(const std::string& path, torrent_format format,
                       const std::string& root_cert) {
  std::error_code fec;
  fs::path file = fs::absolute(path, fec).lexically_normal();
  if (!file.has_filename()) file = file.parent_path();  // "dir/" names dir
  const bool folder = !fec && fs::is_directory(fs::symlink_status(file, fec));
  if (fec || (!folder && !fs::is_regular_file(file, fec)))
    throw std::runtime_error(path + " is not a file or a folder");
  if (folder) check_folder(file);
  const auto flags = format == torrent_format::hybrid ? lt::create_flags_t{}
                     : format == torrent_format::v1   ? lt::create_torrent::v1_only
                                                      : lt::create_torrent::v2_only;
  lt::file_storage files;
  lt::add_files(files, file.string(), flags);
  if (folder && files.num_files() == 0) throw std::runtime_error(path + " holds no files");
  if (!folder && files.num_files() != 1) throw std::runtime_error(path + " is not a single file");
  if (files.total_size() == 0) {
    if (folder) throw std::runtime_error(path + " holds only empty files: nothing to share");
    return describe_empty(file.filename().string());
  }
  lt::create_torrent maker(files, 0, flags);
  maker.set_priv(true);
  if (!root_cert.empty()) maker.set_root_cert(root_cert);
  lt::error_code ec;
  lt::set_piece_hashes(maker, file.parent_path().string(), ec);
  if (ec) throw std::runtime_error("cannot read " + path + ": " + ec.message());
  metadata out;
  lt::bencode(std::back_inserter(out.torrent), maker.generate());
  lt::torrent_info ti(
      lt::span<char const>(out.torrent.data(), static_cast<long>(out.torrent.size())),
      lt::from_span);
  const auto info = ti.info_section();
  out.info.assign(info.data(), static_cast<std::size_t>(info.size()));
  out.name = file.filename().string();
  out.info_hash = sha256_hex(info);
  const auto content = proto::read_info_files(out.info);
  if (!content.error.empty()) throw std::runtime_error(path + ": " + content.error);
  out.size = content.size;  // pad files left out
  out.files = content.folder ? static_cast<std::int64_t>(content.files.size()) : 0;
  return out;
}

info_hashes hashes_of(const std::string& info) {
  const auto ti = parse_torrent({}, info);
  const auto& both = ti->info_hashes();
  info_hashes out;
  if (both.has_v1()) {
    out.v1 =
        util::to_hex(std::string_view(both.v1.data(), static_cast<std::size_t>(both.v1.size())));
  }
  if (both.has_v2()) out.v2 = hex_of(both.v2);
  return out;
}

namespace {

// Each file of `ti` that has a piece layer (more than one piece; pad files never), in order.
template <class Visit>
void for_each_layered_file(const lt::torrent_info& ti, Visit visit) {
  const auto& files = ti.files();
  for (const auto f : files.file_range()) {
    if (!files.pad_file_at(f) && files.file_size(f) > files.piece_length()) visit(f);
  }
}

}  // namespace

std::string piece_layer_of(const metadata& meta) {
  if (meta.torrent.empty()) return {};
  const auto ti = parse_torrent(meta.torrent, meta.info);
  if (!ti->info_hashes().has_v2()) return {};
  std::string layers;
  for_each_layered_file(*ti, [&](lt::file_index_t f) {
    const auto layer = ti->piece_layer(f);
    layers.append(layer.data(), static_cast<std::size_t>(layer.size()));
  });
  return layers;
}

metadata with_piece_layer(metadata meta, const std::string& layers) {
  const auto ti = parse_torrent({}, meta.info);
  if (!ti->info_hashes().has_v2()) throw std::runtime_error("a piece layer needs v2 metadata");
  const auto& files = ti->files();
  // By pieces root, as bencode orders a dictionary's keys (bytewise); two files with the same
  // bytes have the same root and one layer.
  std::map<std::string, std::string> by_root;
  std::size_t at = 0;
  for_each_layered_file(*ti, [&](lt::file_index_t f) {
    const auto size = static_cast<std::size_t>(files.file_num_pieces(f)) * 32;
    if (at + size > layers.size()) throw std::runtime_error("the piece layers are too short");
    const auto root = files.root(f);
    by_root[std::string(root.data(), static_cast<std::size_t>(root.size()))] =
        layers.substr(at, size);
    at += size;
  });
  if (at != layers.size()) throw std::runtime_error("the piece layers do not fit the files");
  const auto text = [](std::string_view s) {
    return std::to_string(s.size()) + ":" + std::string(s);
  };
  // Keys in bencode's order: "info" before "piece layers".
  meta.torrent = "d4:info" + meta.info + "12:piece layersd";
  for (const auto& [root, layer] : by_root) meta.torrent += text(root) + text(layer);
  meta.torrent += "ee";
  return meta;
}

struct engine::impl {
  struct share {
    std::string group;
    std::string name;
    std::string path;
    bool downloading = false;
    bool was_download = false;
    std::string error;
  };
  using clock = std::chrono::steady_clock;
  struct torrent {
    lt::torrent_handle handle;
    std::vector<share> shares;
    int rejected = 0;
    bool sealed = false;      // an SSL torrent: peers need a certificate of its group
    bool rechecking = false;  // a force_recheck is under way
    // libtorrent's first torrent_checked_alert of a torrent is its add's (posted once it
    // starts: for an upload, once released), which may describe the file before a recheck
    // asked for meanwhile: that one settles nothing.
    bool add_checked = false;
    bool confirming = false;   // ... and it decides whether a finished download is done
    int rechecks = 0;          // of a download that was finished but not whole on disk
    int refetched = 0;         // pieces those rechecks found missing
    bool hashes_known = true;  // transfer::hashes_known
    std::vector<verify_handler> verify_waiters;
    std::int64_t done_bytes = -1;  // verified bytes at last_progress
    clock::time_point last_progress = clock::now();
    // A torrent added stopped is handed to libtorrent's queue once neither holds it back:
    // a sealed one's certificate (without it, every TLS handshake with a member fails, and
    // libtorrent then waits a minute or more before it tries that peer again:
    // docs/architecture.md, sealed swarms), and an upload's registration (engine::seed).
    bool awaiting_certificate = false;
    bool held = false;
    // libtorrent made the torrent's TLS context (torrent_need_cert_alert): a certificate
    // given from now on is taken (before, libtorrent drops it).
    bool ssl_ready = false;
    // The check before DONE reads the file back on threads of its own (p2p/content_check.hpp).
    bool content_checking = false;
    std::jthread content_check;  // stopped and joined when the torrent goes
  };
  struct certificate {
    std::string cert_pem;
    std::string key_pem;
  };

  impl(asio::any_io_executor ex, engine_options opts, finished_handler finished)
      : executor(std::move(ex)),
        session(lt::session_params(settings(opts))),
        on_finished(std::move(finished)),
        alive(std::make_shared<bool>(true)),
        stall_timeout(opts.stall_timeout),
        watchdog(executor) {
    session.set_peer_class_filter(every_peer_limited());
    watch();
    std::weak_ptr<bool> weak = alive;
    session.set_alert_notify([weak, this, ex = executor] {
      // libtorrent's thread: only hand over to ours.
      asio::post(ex, [weak, this] {
        if (!weak.expired()) pump_alerts();
      });
    });
  }

  ~impl() {
    session.set_alert_notify([] {});
    alive.reset();
    watchdog.cancel();
  }

  static bool downloading(const torrent& t) {
    return std::any_of(t.shares.begin(), t.shares.end(),
                       [](const share& s) { return s.downloading; });
  }

  // Once a second: a download that gained no verified byte for stall_timeout fails, with
  // what is known of why (no peer, or peers whose data fails its hashes).
  void watch() {
    const auto tick = std::min<clock::duration>(std::chrono::seconds(1), stall_timeout);
    watchdog.expires_after(tick);
    std::weak_ptr<bool> weak = alive;
    watchdog.async_wait([weak, this](const error_code& ec) {
      if (ec || weak.expired()) return;
      check_progress();
      watch();
    });
  }

  void check_progress() {
    const auto now = clock::now();
    std::vector<std::pair<lt::torrent_handle, std::string>> stalled;
    for (auto& [key, t] : torrents) {
      if (!t.handle.is_valid() || !downloading(t)) continue;
      const auto st = t.handle.status();
      // Checking, or waiting in libtorrent's queue (paused), is not stalling; waiting for
      // the group's certificate is, once it lasts.
      const bool queued = (st.flags & lt::torrent_flags::paused) && !t.awaiting_certificate;
      if (t.rechecking || t.content_checking || queued ||
          st.state == lt::torrent_status::checking_files ||
          st.state == lt::torrent_status::checking_resume_data ||
          st.total_wanted_done > t.done_bytes) {
        t.done_bytes = st.total_wanted_done;
        t.last_progress = now;
        continue;
      }
      if (now - t.last_progress < stall_timeout) continue;
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(stall_timeout).count();
      std::string why;
      if (t.rejected > 0) {
        why = "no progress for " + std::to_string(seconds) + " s: " + std::to_string(t.rejected) +
              " pieces from peers failed their hash check";
      } else if (t.awaiting_certificate) {
        why = "no certificate of its group from the tracker for " + std::to_string(seconds) + " s";
      } else if (st.num_peers == 0) {
        why = "no peer for " + std::to_string(seconds) + " s";
      } else {
        why = "no data for " + std::to_string(seconds) + " s from " + std::to_string(st.num_peers) +
              " peers";
      }
      t.awaiting_certificate = false;  // failed: a certificate coming later starts nothing
      stalled.emplace_back(t.handle, why);
    }
    for (const auto& [h, why] : stalled) {
      h.unset_flags(lt::torrent_flags::auto_managed);
      h.pause();
      finish(h, why);
    }
  }

  // libtorrent checks every piece again (a `verify`, or a check before DONE that failed: it
  // learns which pieces to fetch again). A content check under way answers the waiters too.
  void recheck(torrent& t) {
    if (t.rechecking || t.content_checking) return;
    t.rechecking = true;
    t.handle.force_recheck();
  }

  // The check before DONE: the file read back and checked whole on check_threads threads,
  // much faster than libtorrent's recheck, which runs only when this one fails.
  void check_content(torrent& t) {
    try {
      const auto files = t.handle.torrent_file();
      if (!files) throw std::runtime_error("no metadata");
      const auto info = files->info_section();
      std::weak_ptr<bool> weak = alive;
      t.content_check =
          std::jthread([this, weak, ex = executor, h = t.handle, threads = check_threads,
                        info = std::string(info.data(), static_cast<std::size_t>(info.size())),
                        top = content_top(t, *files)](const std::stop_token& stop) {
            const bool whole = content_matches(info, top, threads, stop);
            if (stop.stop_requested()) return;  // the torrent is gone
            asio::post(ex, [this, weak, h, whole] {
              if (!weak.expired()) content_checked(h, whole);
            });
          });
      t.content_checking = true;
    } catch (const std::exception&) {
      recheck(t);  // libtorrent's own check, slower, decides instead
    }
  }

  void content_checked(const lt::torrent_handle& h, bool whole) {
    torrent* t = find(h);
    if (t == nullptr || !std::exchange(t->content_checking, false)) return;
    try {
      if (!whole) {
        recheck(*t);
        return;
      }
      const int pieces = t->handle.torrent_file()->num_pieces();
      settle(*t, verify_result{true, pieces, pieces, {}}, t->handle.status().total_wanted_done);
    } catch (const std::exception&) {
      // The handle went invalid meanwhile: the torrent is being removed.
    }
  }

  // Where the torrent's content is on disk: its one file, or its folder's top (where the
  // first share put it: add() named the top after its path). A renamed download's file keeps
  // its metadata's name only in the info dictionary, so the path is libtorrent's.
  static std::string content_top(const torrent& t, const lt::torrent_info& info) {
    if (is_folder(info.files())) return t.shares.front().path;
    const auto st = t.handle.status(lt::torrent_handle::query_save_path);
    return info.files().file_path(lt::file_index_t{0}, st.save_path);
  }

  void checked(torrent& t) {
    if (!std::exchange(t.add_checked, true)) {
      // The add's check: a verify that came before it (the file may have changed since it
      // was read) gets a check of its own.
      if (std::exchange(t.rechecking, false)) recheck(t);
      return;
    }
    if (!t.rechecking) return;  // a check libtorrent started itself
    t.rechecking = false;
    const auto st = t.handle.status();
    const int pieces = t.handle.torrent_file() ? t.handle.torrent_file()->num_pieces() : 0;
    settle(t, verify_result{st.num_pieces == pieces && st.is_seeding, pieces, st.num_pieces, {}},
           st.total_wanted_done);
  }

  // What a check of the whole file found (`done_bytes` of it verified): a download is done, or
  // fetches what is missing; a complete file that is not whole becomes a download again; the
  // `verify` waiters have their answer.
  void settle(torrent& t, const verify_result& result, std::int64_t done_bytes) {
    const int pieces = result.pieces;
    auto waiters = std::move(t.verify_waiters);
    const lt::torrent_handle h = t.handle;
    if (std::exchange(t.confirming, false)) {
      if (!result.whole) t.refetched += pieces - result.have;
      if (result.whole) {
        finish(h, {});
      } else if (++t.rechecks >= max_rechecks) {
        finish(h, std::to_string(pieces - result.have) + " of " + std::to_string(pieces) +
                      " pieces missing on disk after " + std::to_string(t.rechecks) + " downloads");
      }
      // else libtorrent fetches the missing pieces again and finishes once more: from
      // peers asked for anew, as a seed it dropped the seeders it had.
      if (!result.whole) h.force_reannounce();
    } else if (!result.whole && result.error.empty()) {
      // A complete file that is not whole any more: a download again, until it is.
      for (auto& s : t.shares) {
        if (s.error.empty()) s.downloading = true;
      }
      h.force_reannounce();
    }
    t.done_bytes = done_bytes;
    t.last_progress = clock::now();
    for (auto& w : waiters) w(result);
  }

  void verify_failed(torrent& t, const std::string& error) {
    t.rechecking = false;
    t.confirming = false;
    auto waiters = std::move(t.verify_waiters);
    for (auto& w : waiters) w(verify_result{false, 0, 0, error});
  }

  torrent* find(const lt::torrent_handle& h) {
    for (auto& [key, t] : torrents) {
      if (t.handle == h) return &t;
    }
    return nullptr;
  }

  void pump_alerts() {
    std::vector<lt::alert*> alerts;
    session.pop_alerts(&alerts);
    for (lt::alert* a : alerts) {
      const auto* about = dynamic_cast<const lt::torrent_alert*>(a);
      // Alerts can outlive their torrent (stop_share, a refused upload): ignore those, and
      // never let a handle that went invalid meanwhile throw out of the event loop.
      if (about == nullptr || find(about->handle) == nullptr) continue;
      try {
        handle(a);
      } catch (const std::exception&) {
      }
    }
  }

  void handle(lt::alert* a) {
    torrent* t = find(static_cast<lt::torrent_alert*>(a)->handle);  // pump_alerts: one of ours
    if (t == nullptr) return;
    if (auto* done = lt::alert_cast<lt::torrent_finished_alert>(a)) {
      // Every piece passed its hash in memory, but that says nothing of the file: flush,
      // then read the file back and check every piece before the download is done.
      // libtorrent 2.0.8 can finish with pieces never fetched (issue 16): a v2 leecher
      // without piece layers asks peers for them again and again (every 3 s, on every
      // `have`; hash_picker never marks them received), and each answer passes once more
      // every piece that passed but whose blocks are still being written (torrent::
      // add_hashes). The count of passed pieces then runs ahead, is_seed() turns true and
      // the torrent seeds with holes: whole pieces, and blocks of pieces under way. A recheck
      // finishes a torrent again; the flags keep that from starting another one.
      if (downloading(*t) && !t->rechecking && !t->content_checking) done->handle.flush_cache();
    } else if (auto* flushed = lt::alert_cast<lt::cache_flushed_alert>(a)) {
      if (downloading(*t) && !t->rechecking && !t->content_checking &&
          flushed->handle.status().is_seeding) {
        t->confirming = true;
        check_content(*t);
      }
    } else if (lt::alert_cast<lt::torrent_checked_alert>(a) != nullptr) {
      checked(*t);
    } else if (auto* error = lt::alert_cast<lt::torrent_error_alert>(a)) {
      verify_failed(*t, error->error.message());
      finish(error->handle, error->error.message());
    } else if (auto* file_error = lt::alert_cast<lt::file_error_alert>(a)) {
      verify_failed(*t, file_error->error.message());
      finish(file_error->handle, file_error->error.message());
    } else if (lt::alert_cast<lt::hash_failed_alert>(a) != nullptr) {
      ++t->rejected;
    } else if (lt::alert_cast<lt::torrent_need_cert_alert>(a) != nullptr) {
      t->ssl_ready = true;
      provide_certificate(*t);
    }
  }

  // A sealed torrent's certificate: the one of its group if this client has it, else asked
  // for (set_certificate brings it). The first one may start the torrent.
  void provide_certificate(torrent& t) {
    if (!t.sealed || !t.ssl_ready || !t.handle.is_valid()) return;
    for (const auto& group : groups_of(t)) {
      if (const auto it = certificates.find(group); it != certificates.end()) {
        t.handle.set_ssl_certificate_buffer(it->second.cert_pem, it->second.key_pem,
                                            net::dh_params_pem());
        if (std::exchange(t.awaiting_certificate, false)) start_if_ready(t);
        return;
      }
    }
    if (on_certificate_wanted) {
      for (const auto& group : groups_of(t)) on_certificate_wanted(group);
    }
  }

  // The first certificate, or the release, of a torrent added stopped: libtorrent's queue
  // then starts it like any other (it runs calls on a handle in order, so a certificate
  // given before is in place before the torrent announces or meets a peer).
  void start_if_ready(torrent& t) {
    if (t.awaiting_certificate || t.held || !t.handle.is_valid()) return;
    t.handle.set_flags(lt::torrent_flags::auto_managed);
  }

  void finish(const lt::torrent_handle& h, const std::string& error) {
    torrent* t = find(h);
    if (t == nullptr) return;
    std::vector<std::pair<std::string, std::string>> done;
    for (auto& s : t->shares) {
      if (!s.downloading) continue;
      s.downloading = false;
      s.was_download = true;
      s.error = error;
      done.emplace_back(s.group, s.name);
    }
    for (const auto& [group, name] : done) on_finished(group, name, error);
  }

  void add(const std::string& group, const metadata& meta, const std::string& path, bool download,
           bool held = false) {
    if (meta.size == 0) {
      add_empty(group, meta, path, download);
      return;
    }
    auto ti = torrent_of(meta);
    auto it = torrents.find(meta.info_hash);
    if (it != torrents.end()) {
      // The same content again (another group, or uploaded twice): one torrent, more shares.
      for (const auto& s : it->second.shares) {
        if (same_group(s.group, group) && s.name == meta.name) return;
      }
      const auto before = groups_of(it->second);
      it->second.shares.push_back({group, meta.name, path, download, false, {}});
      if (groups_of(it->second) != before) refresh_trackers(it->second);
      return;
    }
    const fs::path where = fs::absolute(path);
    lt::add_torrent_params params;
    params.ti = ti;
    params.save_path = where.parent_path().string();
    const auto& fs_of = ti->files();
    if (is_folder(fs_of)) {
      // A folder: its top takes the name of `where`, the tree below it is the torrent's.
      if (where.filename().string() != ti->name()) {
        for (const auto index : fs_of.file_range()) {
          if (fs_of.pad_file_at(index)) continue;  // never on disk
          const fs::path inside = fs::path(fs_of.file_path(index)).lexically_relative(ti->name());
          params.renamed_files[index] = (fs::path(where.filename()) / inside).string();
        }
      }
    } else if (where.filename().string() != fs_of.file_name(lt::file_index_t{0})) {
      params.renamed_files[lt::file_index_t{0}] = where.filename().string();
    }
    for (const auto& e : trackers_of({group})) {
      params.trackers.push_back(e.url);
      params.tracker_tiers.push_back(e.tier);
    }
    // A file hashed here a moment ago need not be read twice: in seed mode libtorrent checks
    // each piece the first time it sends it, and stops offering any piece that fails.
    if (!download && !meta.torrent.empty()) params.flags |= lt::torrent_flags::seed_mode;
    if (made_for_open_group(*ti)) {
      const auto info = ti->info_section();
      params.extensions.push_back(
          metadata_server(std::string(info.data(), static_cast<std::size_t>(info.size()))));
    }
    torrent t;
    t.sealed = !ti->ssl_cert().empty();
    t.awaiting_certificate = t.sealed;  // provide_certificate starts it
    t.held = held;                      // release() starts it
    if (t.awaiting_certificate || t.held) {
      params.flags |= lt::torrent_flags::paused;
      params.flags &= ~lt::torrent_flags::auto_managed;
    }
    // A v2 file of more than one piece needs its piece layer to know every piece's hash.
    t.hashes_known = true;
    if (ti->info_hashes().has_v2()) {
      for_each_layered_file(*ti, [&](lt::file_index_t f) {
        if (ti->piece_layer(f).empty()) t.hashes_known = false;
      });
    }
    // libtorrent checks a piece layer against the file's pieces root here, and refuses the
    // torrent (torrent_invalid_piece_layer) when it does not match.
    lt::error_code ec;
    t.handle = session.add_torrent(std::move(params), ec);
    if (ec) throw std::runtime_error("cannot add the torrent: " + ec.message());
    t.shares.push_back({group, meta.name, where.string(), download, false, {}});
    torrents.emplace(meta.info_hash, std::move(t));
  }

  void add_empty(const std::string& group, const metadata& meta, const std::string& path,
                 bool download) {
    if (!safe_name(meta.name) || describe_empty(meta.name).info_hash != meta.info_hash) {
      throw std::runtime_error("bad metadata for an empty file");
    }
    const fs::path where = fs::absolute(path);
    if (download) {
      std::ofstream created(where, std::ios::binary);
      if (!created) throw std::runtime_error("cannot create " + where.string());
    }
    auto& t = torrents[meta.info_hash];  // no handle: nothing to exchange
    for (const auto& s : t.shares) {
      if (same_group(s.group, group) && s.name == meta.name) return;
    }
    t.shares.push_back({group, meta.name, where.string(), false, download, {}});
    if (download) {
      std::weak_ptr<bool> weak = alive;
      asio::post(executor, [weak, this, group, name = meta.name] {
        if (!weak.expired()) on_finished(group, name, {});
      });
    }
  }

  void remove_if(const std::function<bool(const share&)>& match) {
    for (auto it = torrents.begin(); it != torrents.end();) {
      const auto before = groups_of(it->second);
      std::erase_if(it->second.shares, match);
      if (it->second.shares.empty()) {
        verify_failed(it->second, "no longer shared");
        if (it->second.handle.is_valid()) session.remove_torrent(it->second.handle);
        it = torrents.erase(it);
      } else {
        if (groups_of(it->second) != before) refresh_trackers(it->second);
        ++it;
      }
    }
  }

  static std::vector<std::string> groups_of(const torrent& t) {
    std::vector<std::string> out;
    for (const auto& s : t.shares) {
      if (std::find(out.begin(), out.end(), s.group) == out.end()) out.push_back(s.group);
    }
    return out;
  }

  // One tier per URL: with announce_to_all_tiers, every one is announced to.
  std::vector<lt::announce_entry> trackers_of(const std::vector<std::string>& groups) const {
    std::vector<lt::announce_entry> out;
    if (!announce_urls) return out;
    for (const auto& g : groups) {
      for (auto& url : announce_urls(g)) {
        lt::announce_entry e(url);
        e.tier = static_cast<std::uint8_t>(std::min<std::size_t>(out.size(), 255));
        out.push_back(std::move(e));
      }
    }
    return out;
  }

  void refresh_trackers(torrent& t) {
    if (!t.handle.is_valid()) return;
    t.handle.replace_trackers(trackers_of(groups_of(t)));
    t.handle.force_reannounce();
  }

  asio::any_io_executor executor;
  lt::session session;
  finished_handler on_finished;
  std::shared_ptr<bool> alive;  // handlers posted by libtorrent check it before touching us
  clock::duration stall_timeout;
  unsigned check_threads =
      static_cast<unsigned>(std::clamp<std::size_t>(util::allowed_cpus().size(), 1, 4));
  asio::steady_timer watchdog;
  announce_urls_for announce_urls;
  certificate_wanted on_certificate_wanted;
  std::map<std::string, certificate> certificates;  // by group
  std::map<std::string, torrent> torrents;          // by v2 info-hash
};

engine::engine(asio::any_io_executor executor, engine_options options, finished_handler on_finished)
    : impl_(std::make_unique<impl>(std::move(executor), std::move(options),
                                   std::move(on_finished))) {}

engine::~engine() = default;

void engine::set_announce_urls(announce_urls_for urls) {
  impl_->announce_urls = std::move(urls);
  for (auto& [key, t] : impl_->torrents) impl_->refresh_trackers(t);
}

void engine::set_certificate_wanted(certificate_wanted wanted) {
  impl_->on_certificate_wanted = std::move(wanted);
}

void engine::set_certificate(const std::string& group, const std::string& cert_pem,
                             const std::string& key_pem) {
  impl_->certificates[group] = {cert_pem, key_pem};
  for (auto& [key, t] : impl_->torrents) {
    const auto groups = impl::groups_of(t);
    if (t.sealed && std::find(groups.begin(), groups.end(), group) != groups.end())
      impl_->provide_certificate(t);
  }
}

void engine::seed(const std::string& group, const metadata& meta, const std::string& path,
                  bool held) {
  impl_->add(group, meta, path, false, held);
}

void engine::release(const metadata& meta) {
  const auto it = impl_->torrents.find(meta.info_hash);
  if (it != impl_->torrents.end() && std::exchange(it->second.held, false))
    impl_->start_if_ready(it->second);
}

void engine::download(const std::string& group, const metadata& meta, const std::string& path) {
  if (meta.torrent.empty()) {
    impl_->add(group, meta, path, true);
    return;
  }
  try {
    impl_->add(group, meta, path, true);
  } catch (const std::exception&) {
    // The piece layer (the tracker's) does not hold together or is not the file's: without
    // it, the hashes come from peers. add() changed nothing before it threw.
    metadata bare = meta;
    bare.torrent.clear();
    impl_->add(group, bare, path, true);
  }
}

bool engine::stop(const std::string& group, const std::string& name) {
  bool found = false;
  impl_->remove_if([&](const impl::share& s) {
    const bool match = same_group(s.group, group) && s.name == name;
    found = found || match;
    return match;
  });
  return found;
}

void engine::unseed(const std::string& group, const metadata& meta) {
  const auto it = impl_->torrents.find(meta.info_hash);
  if (it == impl_->torrents.end()) return;
  std::erase_if(it->second.shares, [&](const impl::share& s) {
    return same_group(s.group, group) && s.name == meta.name;
  });
  if (it->second.shares.empty()) {
    impl_->verify_failed(it->second, "no longer shared");
    if (it->second.handle.is_valid()) impl_->session.remove_torrent(it->second.handle);
    impl_->torrents.erase(it);
  } else {
    impl_->refresh_trackers(it->second);
  }
}

void engine::stop_all(const std::string& group) {
  impl_->remove_if(
      [&](const impl::share& s) { return group.empty() || same_group(s.group, group); });
}

bool engine::verify(const std::string& group, const std::string& name, verify_handler done) {
  for (auto& [key, t] : impl_->torrents) {
    const bool match = std::any_of(t.shares.begin(), t.shares.end(), [&](const impl::share& s) {
      return same_group(s.group, group) && s.name == name;
    });
    if (!match) continue;
    if (!t.handle.is_valid()) {  // an empty file: whole when it is there, empty
      std::error_code ec;
      const auto& path = t.shares.front().path;
      const bool whole = fs::is_regular_file(path, ec) && fs::file_size(path, ec) == 0;
      asio::post(impl_->executor, [done = std::move(done), whole] {
        done(verify_result{whole, 0, 0, whole ? "" : "the file is gone or not empty"});
      });
      return true;
    }
    // libtorrent checks a stopped torrent only once it starts, and these start later.
    if (t.awaiting_certificate || t.held) {
      const std::string why = t.held ? "the tracker has not registered it yet; try again soon"
                                     : "it waits for its group's certificate from the tracker, "
                                       "verify it again once it has it";
      asio::post(impl_->executor, [done = std::move(done), why] {
        done(verify_result{false, 0, 0, why});
      });
      return true;
    }
    t.verify_waiters.push_back(std::move(done));
    impl_->recheck(t);
    return true;
  }
  return false;
}

std::vector<transfer> engine::transfers() const {
  std::vector<transfer> out;
  for (const auto& [key, t] : impl_->torrents) {
    lt::torrent_status st;
    if (t.handle.is_valid()) {
      st = t.handle.status();  // valid: every torrent here is still in the session
    } else {
      st.progress = 1;  // an empty file is always complete
    }
    for (const auto& s : t.shares) {
      transfer x;
      x.group = s.group;
      x.name = s.name;
      x.path = s.path;
      x.was_download = s.was_download;
      x.peers = st.num_peers;
      x.sent = st.total_payload_upload;
      x.size = st.total_wanted;
      x.rejected = t.rejected;
      x.refetched = t.refetched;
      x.hashes_known = t.hashes_known;
      x.progress = st.progress;
      if (!s.error.empty()) {
        x.what = transfer::state::failed;
        x.error = s.error;
      } else if (s.downloading) {
        x.what = transfer::state::downloading;
        x.rate = st.download_payload_rate;
        const auto missing = st.total_wanted - st.total_wanted_done;
        x.eta_seconds = x.rate > 0 ? missing / x.rate : -1;
      } else {
        x.what = transfer::state::seeding;
        x.rate = st.upload_payload_rate;
      }
      out.push_back(std::move(x));
    }
  }
  return out;
}

std::optional<engine::local_content> engine::have(const std::string& info_hash) const {
  const auto it = impl_->torrents.find(info_hash);
  if (it == impl_->torrents.end() || it->second.shares.empty()) return std::nullopt;
  const auto& t = it->second;
  const auto& first = t.shares.front();
  if (!t.handle.is_valid()) return local_content{first.path, true, first.group, first.name};
  const auto st = t.handle.status(lt::torrent_handle::query_save_path);
  const auto info = t.handle.torrent_file();
  if (!info) return std::nullopt;
  const bool downloading = std::any_of(t.shares.begin(), t.shares.end(), [](const impl::share& s) {
    return s.downloading || !s.error.empty();
  });
  return local_content{impl::content_top(t, *info), st.is_seeding && !downloading, first.group,
                       first.name};
}

bool engine::busy() const {
  for (const auto& [key, t] : impl_->torrents) {
    for (const auto& s : t.shares) {
      if (s.downloading) return true;
    }
  }
  return false;
}

}  // namespace swarmhub::p2p
