#include "swarmhub/client/file_sharing.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

#include "swarmhub/client/group_files.hpp"
#include "swarmhub/client/piece_layers.hpp"
#include "swarmhub/client/replies.hpp"
#include "swarmhub/client/status_lines.hpp"
#include "swarmhub/net/secure_files.hpp"
#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/base64.hpp"
#include "swarmhub/util/paths.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

namespace fs = std::filesystem;

using code = proto::error_code;

proto::reply usage_error(const local_command& command) {
  return error_reply(code::bad_arguments, fmt::format("usage: {}", command.usage));
}

std::optional<std::chrono::seconds> positive_seconds(std::string_view text) {
  int seconds = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || ptr != text.data() + text.size() || seconds <= 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

// Whether the download started with every piece hash ("known") or asks peers ("peers").
std::string_view hashes_word(const p2p::transfer& t) {
  return t.hashes_known ? "known" : "peers";
}

}  // namespace

file_sharing::file_sharing(asio::any_io_executor executor, tracker_link& link, console& user,
                           std::vector<tracker_target> trackers, std::string data_dir,
                           p2p::engine_options options)
    : link_(link),
      user_(user),
      trackers_(std::move(trackers)),
      data_dir_(std::move(data_dir)),
      engine_(executor, std::move(options),
              [this](const std::string& g, const std::string& n, const std::string& e) {
                finished(g, n, e);
              }),
      certs_(executor, link, engine_),
      downloads_changed_(executor, asio::steady_timer::time_point::max()),
      links_(link, trackers_) {
  engine_.set_certificate_wanted([this](const std::string& group) { certs_.want(group); });
  for (const auto& t : trackers_) {
    std::string relay;
    if (t.uses_tls()) {
      relays_.push_back(std::make_unique<announce_relay>(executor, t, link_.tls()));
      relay = relays_.back()->base_url();
    }
    announce_bases_.push_back(announce_base(t, relay));
  }
}

file_sharing::~file_sharing() {
  hashing_.stop();
}

awaitable<std::optional<proto::reply>> file_sharing::handle(const command_line& command) {
  if (command.local == nullptr) co_return std::nullopt;
  const local_command& spec = *command.local;
  const auto& a = command.args.values;
  const auto count = static_cast<int>(a.size());
  if (!command.args.error.empty() || count < spec.min_args || count > spec.max_args) {
    co_return usage_error(spec);
  }
  switch (spec.id) {
    case local_command_id::upload_file: {
      if (count == 3 && a[2] != "--hybrid") co_return usage_error(spec);
      co_return co_await upload(util::expand_tilde(a[0]), a[1], count == 3);
    }
    case local_command_id::download_file:
      co_return co_await download(a[0], a[1], util::expand_tilde(a[2]));
    case local_command_id::show_downloads:
      co_return show_downloads();
    case local_command_id::stop_share:
      co_return stop_share(a[0], a[1]);
    case local_command_id::wait_downloads: {
      if (count == 0) co_return co_await wait_downloads(std::chrono::seconds{0});
      const auto limit = positive_seconds(a[0]);
      if (!limit) co_return error_reply(code::bad_arguments, "seconds must be a positive number");
      co_return co_await wait_downloads(*limit);
    }
    case local_command_id::verify:
      co_return co_await verify(a[0], a[1]);
    case local_command_id::torrent_file: {
      // Named, not a conditional's temporary inside co_await: GCC 12 destroys those twice.
      const std::string destination = count == 3 ? util::expand_tilde(a[2]) : std::string();
      co_return co_await links_.torrent_file(a[0], a[1], destination);
    }
    case local_command_id::magnet:
      co_return co_await links_.magnet(a[0], a[1]);
    case local_command_id::me:  // chat commands: chat_mode
    case local_command_id::join:
    case local_command_id::part:
    case local_command_id::query:
      break;
  }
  co_return std::nullopt;  // every command returned above
}

awaitable<void> file_sharing::logged_in(const std::string& user, bool resumed) {
  auto key = co_await link_.request("passkey");
  if (key && key->ok) use_passkey(key->text);
  if (resumed) co_return;  // a resumed session (after a failover) still shares all it did
  if (!util::is_path_component(user)) co_return;  // the app checked it; a path is at stake
  std::string folder = trackers_.front().endpoint.address.to_string();
  std::replace(folder.begin(), folder.end(), ':', '_');
  // Private like the data directory itself (net/secure_files.hpp); a looser existing one
  // is the user's choice, said once here.
  const auto folder_path = fs::path(data_dir_) / folder;
  try {
    for (const auto& dir : {folder_path, folder_path / user}) {
      if (auto warning = net::make_private_dir(dir.string()); !warning.empty())
        user_.show_notice("warning: " + warning);
    }
  } catch (const std::exception& e) {
    user_.show_notice(fmt::format("cannot keep the list of shares: {}", e.what()));
  }
  book_.emplace((folder_path / user / "shares.json").string());
  co_await restore();
}

void file_sharing::use_passkey(const std::string& key) {
  const auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (key.empty() || key.size() > 128 || !std::all_of(key.begin(), key.end(), alnum)) return;
  links_.set_passkey(key);
  // One swarm per group: the URL names the group (docs/protocol.md, announces). Every torrent
  // announces again with it at once.
  engine_.set_announce_urls([bases = announce_bases_, key](const std::string& g) {
    std::vector<std::string> urls;
    for (const auto& base : bases) urls.push_back(announce_url(base, g, key));
    return urls;
  });
}

void file_sharing::after_reply(const command_line& command, const proto::reply& reply) {
  if (!reply.ok) return;
  if (command.is(proto::command_id::new_passkey)) {
    use_passkey(reply.text);
  } else if (command.is(proto::command_id::logout)) {
    engine_.stop_all();
    certs_.forget();
    links_.set_passkey({});
    book_.reset();  // the list stays on disk for the next login
  } else if (command.is(proto::command_id::remove_file) && command.args.values.size() == 2) {
    forget_share(command.args.values[0], command.args.values[1]);
  } else if (command.is(proto::command_id::leave_group) && command.args.values.size() == 1) {
    left_group(command.args.values[0]);
  }
}

void file_sharing::left_group(const std::string& group) {
  engine_.stop_all(group);
  certs_.forget(group);
  if (book_) book_->erase_group(group);
}

void file_sharing::removed_from(const std::string& event_text) {
  const auto f = proto::split_arguments(event_text, 2, false);
  if (f.error.empty() && f.values.size() == 2) left_group(f.values[0]);
}

void file_sharing::file_removed(const std::string& event_text) {
  const auto f = proto::split_arguments(event_text, 3, false);
  if (f.error.empty() && f.values.size() == 3) forget_share(f.values[0], f.values[1]);
}

void file_sharing::forget_share(const std::string& group, const std::string& name) {
  engine_.stop(group, name);  // libtorrent leaves the files on disk
  if (book_) book_->erase(group, name);
}

awaitable<proto::reply> file_sharing::upload(const std::string& path, const std::string& group,
                                             bool hybrid) {
  // Files of open groups are v1, which every BitTorrent client reads; sealed ones v2 (or
  // hybrid when asked). A group the tracker does not list gets v2: add_file will say why.
  const auto mode = co_await group_mode(link_, group);
  const auto format = mode == "open" ? p2p::torrent_format::v1
                      : hybrid       ? p2p::torrent_format::hybrid
                                     : p2p::torrent_format::v2;
  // A failure comes back as text, not as an exception crossing threads: libstdc++ (not built
  // for ThreadSanitizer) hides the atomic reference count of an exception_ptr from TSan.
  // A sealed group's file carries the group's root certificate (docs/protocol.md); a refusal
  // here (not a member, no such group) is left to add_file to say.
  const auto grant = co_await certs_.fetch(group);
  const std::string root_cert = grant && grant->sealed ? grant->ca_pem : std::string();
  // One spelling of the place ("dir/" and "dir" alike): the book and the engine key on it.
  fs::path place = fs::absolute(path).lexically_normal();
  if (!place.has_filename()) place = place.parent_path();
  const std::string where = place.string();
  auto describe = [where, format, root_cert] {
    std::pair<p2p::metadata, std::string> out;
    try {
      out.first = p2p::describe_file(where, format, root_cert);
    } catch (const std::exception& e) {
      out.second = e.what();
    }
    return out;
  };
  auto [meta, problem] = co_await hashing_.run(std::move(describe));
  if (!problem.empty()) co_return error_reply(code::bad_file, problem);
  const std::string request =
      fmt::format("add_file {} {} {} {} {}", group, proto::quote_argument(meta.name), meta.size,
                  meta.info_hash, util::to_base64(meta.info));
  // Seed first (which also checks the metadata), held until the tracker has registered the
  // file (engine::seed); undo if the tracker says no.
  try {
    engine_.seed(group, meta, where, true);
  } catch (const std::exception& e) {
    co_return error_reply(code::bad_file, e.what());
  }
  auto reply = co_await link_.request(request);
  if (!reply) {
    engine_.release(meta);  // the tracker may have registered it before the line broke
    co_return connection_lost_reply();
  }
  if (!reply->ok) {
    engine_.unseed(group, meta);
    co_return *reply;
  }
  engine_.release(meta);
  // Leechers then start with every piece hash (client/piece_layers.hpp). Without it they
  // ask peers, as before: a notice, not a failure of the upload.
  if (const auto layer = p2p::piece_layer_of(meta); !layer.empty()) {
    const auto refused = co_await give_piece_layer(link_, group, meta.name, layer);
    if (!refused.empty()) {
      user_.show_notice(
          fmt::format("the tracker did not take the piece hashes of {}: {}", meta.name, refused));
    }
  }
  if (book_) {
    book_->put({group, meta.name, where, meta.info_hash, meta.info, meta.size,
                share_book::mtime_of(where), true});
  }
  co_return *reply;
}

awaitable<proto::reply> file_sharing::download(const std::string& group, const std::string& name,
                                               const std::string& destination) {
  auto reply =
      co_await link_.request(fmt::format("file_info {} {}", group, proto::quote_argument(name)));
  if (!reply) co_return connection_lost_reply();
  if (!reply->ok) co_return *reply;
  const auto read = metadata_from(*reply);
  if (!read) co_return error_reply(code::bad_file, "the tracker sent metadata that cannot be used");
  const p2p::metadata meta = co_await with_tracker_layer(link_, group, *read);
  std::error_code ec;
  fs::path target = fs::absolute(destination, ec);
  if (fs::is_directory(target, ec)) target /= meta.name;
  if (!fs::is_directory(target.parent_path(), ec)) {
    co_return error_reply(code::bad_arguments,
                          fmt::format("{} is not a directory", target.parent_path().string()));
  }
  // symlink_status, not exists: a dangling symlink "does not exist" but would be written
  // through. Nothing at the destination is ever overwritten or followed.
  if (fs::is_symlink(fs::symlink_status(target, ec))) {
    co_return error_reply(
        code::file_exists,
        fmt::format("{} is a symbolic link; downloads never write through one", target.string()));
  }
  if (fs::exists(fs::symlink_status(target, ec))) {
    co_return error_reply(code::file_exists,
                          fmt::format("{} exists; it is never overwritten", target.string()));
  }
  if (const auto here = engine_.have(meta.info_hash)) {
    const std::string where = target.string();  // named: GCC 12 and co_await temporaries
    co_return co_await copy_local(group, meta.name, *here, where);
  }
  try {
    engine_.download(group, meta, target.string());
  } catch (const std::exception& e) {
    co_return error_reply(code::bad_file, e.what());
  }
  if (book_)
    book_->put({group, meta.name, target.string(), meta.info_hash, meta.info, meta.size, 0, false});
  co_return ok_reply(
      fmt::format("downloading {} from {} to {}", meta.name, group, target.string()));
}

// This client has the content already (shared, or downloaded): a copy at the destination,
// as cheap as the file system allows, instead of a torrent that has nothing to fetch.
awaitable<proto::reply> file_sharing::copy_local(const std::string& group, const std::string& name,
                                                 const p2p::engine::local_content& here,
                                                 const std::string& target) {
  if (!here.complete) {
    co_return error_reply(
        code::file_exists,
        fmt::format("{} is being downloaded to {}; ask again once it is done", name, here.path));
  }
  // What is copied is reported done, so it is read back first, as a download is before DONE.
  const auto checked = co_await check_share(here.group, here.name);
  if (!checked) {
    co_return error_reply(code::bad_file, fmt::format("{} is no longer shared here", name));
  }
  if (!checked->error.empty()) {
    co_return error_reply(code::bad_file,
                          fmt::format("cannot read {} back: {}", here.path, checked->error));
  }
  if (!checked->whole) {
    // Changed on disk since it was shared (edited, say): the user's file is theirs, never
    // "repaired" from the swarm, so it is no longer shared, as at a login (restore()).
    forget_share(here.group, here.name);
    co_return error_reply(
        code::bad_file,
        fmt::format("{} changed since it was shared ({} of {} pieces as shared): no longer "
                    "shared from there; download_file again to fetch it from the group",
                    here.path, checked->have, checked->pieces));
  }
  auto clone = [from = here.path, target] {
    std::error_code ec;
    return fs::is_directory(fs::symlink_status(from, ec)) ? util::clone_tree(from, target)
                                                          : util::clone_file(from, target);
  };
  const auto made = co_await hashing_.run(std::move(clone));
  if (!made.error.empty()) {
    co_return error_reply(code::bad_file,
                          fmt::format("cannot copy {} to {}: {}", here.path, target, made.error));
  }
  // Reported as a download that finished at once, after this reply.
  asio::post(downloads_changed_.get_executor(), [user = &user_, group, name] {
    user->show_event(proto::event{std::string(proto::events::download_done),
                                  group + " " + proto::quote_argument(name)});
  });
  co_return ok_reply(fmt::format("{} is here already: {} to {} ({})", name,
                                 util::to_string(made.how), target, here.path));
}

proto::reply file_sharing::show_downloads() const {
  std::vector<std::string> lines;
  for (const auto& t : engine_.transfers()) {
    const std::string head = fmt::format("[{}] {}", t.group, proto::quote_argument(t.name));
    switch (t.what) {
      case p2p::transfer::state::downloading:
        lines.push_back(fmt::format(
            "[D] {} {:.1f}% of {} {} peers={} eta={} rejected={} refetched={} "
            "hashes={}",
            head, t.progress * 100, util::human_size(t.size), human_rate(t.rate), t.peers,
            t.eta_seconds < 0 ? std::string("?") : fmt::format("{}s", t.eta_seconds), t.rejected,
            t.refetched, hashes_word(t)));
        break;
      case p2p::transfer::state::seeding:
        lines.push_back(fmt::format(
            "[{}] {} {} sent={} peers={} rejected={} refetched={} hashes={}",
            t.was_download ? "C" : "S", head, util::human_size(t.size), util::human_size(t.sent),
            t.peers, t.rejected, t.refetched, hashes_word(t)));
        break;
      case p2p::transfer::state::failed:
        lines.push_back(fmt::format("[F] {}: {}", head, t.error));
        break;
    }
  }
  const auto n = lines.size();
  return ok_reply(fmt::format("{} transfer{}", n, n == 1 ? "" : "s"), std::move(lines));
}

proto::reply file_sharing::stop_share(const std::string& group, const std::string& name) {
  if (!engine_.stop(group, name))
    return error_reply(code::no_such_file, "this client does not share that file");
  forget_share(group, name);
  return ok_reply(fmt::format("stopped sharing {} in {}", name, group));
}

awaitable<proto::reply> file_sharing::wait_downloads(std::chrono::seconds limit) {
  const auto deadline = limit.count() > 0 ? asio::steady_timer::clock_type::now() + limit
                                          : asio::steady_timer::time_point::max();
  while (engine_.busy()) {
    if (asio::steady_timer::clock_type::now() >= deadline) {
      co_return error_reply(code::timeout,
                            fmt::format("downloads still running after {} s", limit.count()));
    }
    error_code ec;
    downloads_changed_.expires_at(deadline);
    co_await downloads_changed_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  if (!failures_.empty()) {
    std::string text = "failed: ";
    for (std::size_t i = 0; i < failures_.size(); ++i) text += (i ? "; " : "") + failures_[i];
    failures_.clear();
    co_return error_reply(code::download_failed, text);
  }
  co_return ok_reply("every download is complete");
}

awaitable<std::optional<p2p::verify_result>> file_sharing::check_share(const std::string& group,
                                                                       const std::string& name) {
  auto result = std::make_shared<std::optional<p2p::verify_result>>();
  auto signal = std::make_shared<asio::steady_timer>(downloads_changed_.get_executor(),
                                                     asio::steady_timer::time_point::max());
  const bool shared = engine_.verify(group, name, [result, signal](const p2p::verify_result& r) {
    *result = r;
    signal->cancel();
  });
  if (!shared) co_return std::nullopt;
  while (!*result) {
    error_code ec;
    co_await signal->async_wait(asio::redirect_error(use_awaitable, ec));
  }
  co_return *result;
}

awaitable<proto::reply> file_sharing::verify(const std::string& group, const std::string& name) {
  const auto checked = co_await check_share(group, name);
  if (!checked) co_return error_reply(code::no_such_file, "this client does not share that file");
  const auto& r = *checked;
  const std::string what = proto::quote_argument(name);
  if (!r.error.empty()) {
    co_return error_reply(code::bad_file, fmt::format("{} in {}: {}", what, group, r.error));
  }
  if (!r.whole) {
    co_return error_reply(code::bad_file,
                          fmt::format("{} in {} is not whole: {} of {} pieces good; fetching the "
                                      "rest again",
                                      what, group, r.have, r.pieces));
  }
  co_return ok_reply(fmt::format("{} in {} is whole: {} pieces checked", what, group, r.pieces));
}

awaitable<void> file_sharing::restore() {
  int shared = 0;
  int resumed = 0;
  std::vector<std::string> skipped;
  const auto entries = book_->entries();  // a copy: failures below edit the book
  for (const auto& e : entries) {
    p2p::metadata meta{e.name, e.size, e.info_hash, e.info, {}};
    const bool unchanged = e.complete && share_book::size_of(e.path) == e.size &&
                           share_book::mtime_of(e.path) == e.mtime;
    try {
      if (unchanged) {
        engine_.seed(e.group, meta, e.path);
        ++shared;
      } else if (!e.complete) {
        meta = co_await with_tracker_layer(link_, e.group, std::move(meta));
        if (!book_) co_return;                    // logged out meanwhile
        engine_.download(e.group, meta, e.path);  // libtorrent re-checks what is already there
        ++resumed;
      } else {
        skipped.push_back(e.name);
        book_->erase(e.group, e.name);
      }
    } catch (const std::exception&) {
      skipped.push_back(e.name);
      book_->erase(e.group, e.name);
    }
  }
  if (shared + resumed + static_cast<int>(skipped.size()) == 0) co_return;
  std::string text = fmt::format("sharing {} file{} again, resuming {} download{}", shared,
                                 shared == 1 ? "" : "s", resumed, resumed == 1 ? "" : "s");
  if (!skipped.empty()) {
    text += "; no longer shared (changed or gone):";
    for (const auto& n : skipped) text += " " + proto::quote_argument(n);
  }
  user_.show_event(proto::event{std::string(proto::events::notice), text});
}

void file_sharing::finished(const std::string& group, const std::string& name,
                            const std::string& error_text) {
  if (book_) {
    for (const auto& e : book_->entries()) {
      if (!util::iequals_ascii(e.group, group) || e.name != name) continue;
      if (error_text.empty()) {
        book_->mark_complete(group, name, share_book::mtime_of(e.path));
      } else {
        book_->erase(group, name);
      }
      break;
    }
  }
  if (error_text.empty()) {
    user_.show_event(proto::event{std::string(proto::events::download_done),
                                  group + " " + proto::quote_argument(name)});
  } else {
    failures_.push_back(fmt::format("{} {}: {}", group, name, error_text));
    user_.show_event(proto::event{std::string(proto::events::download_failed),
                                  group + " " + proto::quote_argument(name) + " " + error_text});
  }
  downloads_changed_.cancel();
}

}  // namespace swarmhub::client
