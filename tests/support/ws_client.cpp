#include "ws_client.hpp"

#include <gtest/gtest.h>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>

namespace swarmhub::test {

namespace websocket = boost::beast::websocket;

ws_client::ws_client(std::uint16_t port,
                     std::vector<std::pair<std::string, std::string>> extra_headers)
    : ws_(io_) {
  ws_.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), port});
  ws_.set_option(websocket::stream_base::decorator([extra_headers](websocket::request_type& req) {
    for (const auto& [name, value] : extra_headers) req.set(name, value);
  }));
  ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws");
  const auto hello = read();
  if (!hello || !hello->starts_with("* HELLO ")) {
    ADD_FAILURE() << "no HELLO: " << hello.value_or("(nothing)");
  }
}

void ws_client::send(const std::string& text) {
  ws_.text(true);
  ws_.write(boost::asio::buffer(text));
}

void ws_client::send_binary(const std::string& bytes) {
  ws_.binary(true);
  ws_.write(boost::asio::buffer(bytes));
}

void ws_client::ping() {
  ws_.ping({});
}

boost::system::error_code ws_client::read_message() {
  // Asynchronous under the hood, so that a silent tracker fails the test instead of hanging it.
  boost::system::error_code ec = boost::asio::error::timed_out;
  bool done = false;
  buffer_.clear();
  ws_.async_read(buffer_, [&](const boost::system::error_code& e, std::size_t) {
    ec = e;
    done = true;
  });
  io_.restart();
  io_.run_for(std::chrono::seconds(10));
  if (!done) {
    ws_.next_layer().cancel();
    io_.restart();
    io_.run();
    ec = boost::asio::error::timed_out;
  }
  return ec;
}

std::optional<std::string> ws_client::read() {
  if (read_message()) return std::nullopt;
  return boost::beast::buffers_to_string(buffer_.data());
}

proto::reply ws_client::read_reply() {
  while (auto message = read()) {
    auto parsed = parser_.feed(*message);
    if (auto* r = std::get_if<proto::reply>(&parsed)) return *r;
    if (auto* e = std::get_if<proto::event>(&parsed)) events_.push_back(*e);
    if (std::holds_alternative<proto::protocol_violation>(parsed)) {
      ADD_FAILURE() << "not a reply line: " << *message;
    }
  }
  ADD_FAILURE() << "no reply";
  return {};
}

proto::event ws_client::next_event(const std::string& name) {
  for (auto it = events_.begin(); it != events_.end(); ++it) {
    if (it->name == name) {
      auto e = *it;
      events_.erase(it);
      return e;
    }
  }
  while (auto message = read()) {
    auto parsed = parser_.feed(*message);
    if (auto* e = std::get_if<proto::event>(&parsed)) {
      if (e->name == name) return *e;
      if (e->name == "JOINED" || e->name == "LEFT") continue;
      ADD_FAILURE() << "expected " << name << ", got " << e->name << " " << e->text;
      return {};
    }
    ADD_FAILURE() << "expected " << name << ", got " << *message;
    return {};
  }
  ADD_FAILURE() << "no " << name << " event";
  return {};
}

bool ws_client::closed() {
  for (;;) {
    const auto ec = read_message();
    if (!ec) continue;
    return ec == websocket::error::closed || ec == boost::asio::error::eof ||
           ec == boost::asio::error::connection_reset;
  }
}

}  // namespace swarmhub::test
