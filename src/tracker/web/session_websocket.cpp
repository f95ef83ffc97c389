// The session's WebSocket side (GET /ws): kept apart from conn/session.cpp so that the
// transport file holds only the hook (handle_http_frame, reader, write_more, finish_writing).
#include <fmt/format.h>

#include "swarmhub/tracker/conn/session.hpp"

namespace swarmhub::tracker {

awaitable<void> session::upgrade_to_websocket(const proto::http::request& request) {
  // Only with nothing before it still to write (the 101 must be what comes next on the wire),
  // nothing after it read, and from a page of this tracker's own origin.
  if (!replies_.empty() || !queue_.empty() || writing_ || framer_.buffered() > 0 ||
      !web::same_origin(request)) {
    enqueue(std::make_shared<const std::string>(
        proto::http::response(403, "Forbidden", "text/plain", "Forbidden\n", false)));
    begin_close("websocket refused");
    co_return;
  }
  protocol_ = protocol::websocket;
  ws_ = tls_ ? web::ws_channel::over(*tls_, core_.options.max_line)
             : web::ws_channel::over(socket_, core_.options.max_line);
  const error_code ec = co_await ws_->accept(request);
  if (stopped_) co_return;
  if (ec) {
    stop(fmt::format("websocket handshake failed: {}", ec.message()));
    co_return;
  }
  tracker_stats::add(core_.stats.websocket_connections_total);
  last_input_ = clock::now();
  greet();
}

awaitable<void> session::websocket_reader() {
  while (!stopped_) {
    auto in = co_await ws_->next();
    if (stopped_) co_return;
    if (in.ec) {
      if (in.ec != asio::error::eof) {
        stop(closing_ ? close_reason_ : fmt::format("read failed: {}", in.ec.message()));
        co_return;
      }
      peer_done_ = true;
      begin_close("peer closed");
      if (writer_done_) stop(close_reason_);
      co_return;
    }
    last_input_ = clock::now();
    tracker_stats::add(core_.stats.bytes_in, in.frame.text.size());
    if (closing_) continue;
    co_await wait_for_output_room();
    if (stopped_ || closing_) continue;
    co_await handle_frame(std::move(in.frame));
  }
}

}  // namespace swarmhub::tracker
