#pragma once
// The one way swarmhub includes Boost.Asio. Boost 1.74's awaitable.hpp uses std::exchange
// without including <utility>, so that comes first.

#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace swarmhub {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

template <class T = void>
using awaitable = asio::awaitable<T>;

using asio::use_awaitable;

}  // namespace swarmhub
