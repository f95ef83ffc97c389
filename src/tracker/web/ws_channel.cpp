#include "swarmhub/tracker/web/ws_channel.hpp"

#include <array>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>

#include "swarmhub/tracker/web/gathered_writes.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker::web {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

constexpr std::string_view app_socket_path = "/ws";

// Beast's request, from the one the session parsed.
beast::http::request<beast::http::empty_body> beast_request(const proto::http::request& r) {
  beast::http::request<beast::http::empty_body> out;
  out.method_string(r.method);
  out.target(r.query.empty() ? r.path : r.path + "?" + r.query);
  out.version(r.version == "HTTP/1.0" ? 10 : 11);
  for (const auto& [name, value] : r.headers) out.set(name, value);
  return out;
}

template <class Next>
class channel final : public ws_channel {
 public:
  channel(Next next, std::size_t max_line) : ws_(next), max_line_(max_line) {
    ws_.read_message_max(16 * max_line);
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "swarmhub"); }));
  }

  awaitable<error_code> accept(const proto::http::request& request) override {
    error_code ec;
    co_await ws_.async_accept(beast_request(request), asio::redirect_error(use_awaitable, ec));
    co_return ec;
  }

  awaitable<message> next() override {
    message out;
    std::string text;
    bool too_long = false;
    do {
      const auto n = co_await ws_.async_read_some(asio::buffer(input_),
                                                  asio::redirect_error(use_awaitable, out.ec));
      if (out.ec == websocket::error::closed) out.ec = asio::error::eof;
      if (out.ec) co_return out;
      if (!too_long && text.size() + n <= max_line_ + 2) {  // room for a CRLF dropped below
        text.append(input_.data(), n);
      } else {
        too_long = true;
        text.clear();
      }
    } while (!ws_.is_message_done());
    if (text.ends_with('\n')) text.pop_back();
    if (text.ends_with('\r')) text.pop_back();
    if (too_long || text.size() > max_line_) {
      out.frame.what = proto::frame::kind::too_long;
    } else {
      out.frame.text = std::move(text);
    }
    co_return out;
  }

  // Each line one text message, all of them written at once (gathered_writes). Once Beast
  // has begun to close, the lines are dropped (no data frame may follow a close frame) and
  // reported written, so that the session goes on until its reader meets the end, after
  // Beast's close handshake, instead of cutting the socket in the middle of it.
  void send(std::vector<bytes> messages, done then) override {
    auto& out = ws_.next_layer();
    std::size_t total = 0;
    for (const auto& m : messages) total += m->size();
    if (!ws_.is_open()) {
      asio::post(ws_.get_executor(), [after = std::move(then), total] { after({}, total); });
      return;
    }
    for (const auto& m : messages) {
      std::string_view rest = *m;
      while (!rest.empty()) {
        const auto end = rest.find('\n');
        append_text_frame(out.queue(), rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      }
    }
    out.flush([after = std::move(then), total](const error_code& ec) { after(ec, total); });
  }

  void close(std::function<void(const error_code&)> then) override {
    ws_.async_close(websocket::close_code::normal,
                    [after = std::move(then)](const error_code& ec) { after(ec); });
  }

 private:
  websocket::stream<gathered_writes<Next>> ws_;
  std::size_t max_line_;
  std::array<char, 16 * 1024> input_{};
};

}  // namespace

void append_text_frame(std::string& out, std::string_view payload) {
  out += static_cast<char>(0x81);  // FIN, text
  const std::uint64_t size = payload.size();
  if (size < 126) {
    out += static_cast<char>(size);
  } else if (size <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>(size >> 8);
    out += static_cast<char>(size & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xFF);
  }
  out += payload;
}

bool is_websocket_upgrade(const proto::http::request& request) {
  return request.path == app_socket_path &&
         util::iequals_ascii(request.header("upgrade"), "websocket");
}

bool same_origin(const proto::http::request& request) {
  const auto origin = request.header("origin");
  if (origin.empty()) return true;
  const auto scheme_end = origin.find("://");
  return scheme_end != std::string_view::npos && !request.host.empty() &&
         util::iequals_ascii(origin.substr(scheme_end + 3), request.host);
}

std::unique_ptr<ws_channel> ws_channel::over(tcp::socket& socket, std::size_t max_line) {
  return std::make_unique<channel<tcp::socket&>>(socket, max_line);
}

std::unique_ptr<ws_channel> ws_channel::over(net::tls_socket& tls, std::size_t max_line) {
  return std::make_unique<channel<net::tls_socket&>>(tls, max_line);
}

}  // namespace swarmhub::tracker::web
