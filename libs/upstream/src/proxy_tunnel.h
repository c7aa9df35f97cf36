#pragma once
// Drives a proxy handshake on a socket already connected to the proxy: HTTP
// CONNECT, or SOCKS5 (with RFC 1929 auth when the URL has credentials), using
// the bytes from proxy_handshake.h. When it succeeds the socket is a tunnel to
// host:port (TLS, if any, goes on top). Timeouts are the caller's: it closes
// the socket, and the handshake then ends with an error.

#include <functional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "absl/status/status.h"
#include "gempool/gemini/upstream_url.h"
#include "upstream_connection.h"

namespace gempool::upstream {

// `done` runs once, on `strand`, with OK or why the proxy would not tunnel
// (kUnavailable/kPermissionDenied: a refusal; kInternal: not a proxy of that
// kind; kUnavailable also for a broken connection). `socket` must outlive
// the handshake (keep it alive from `done`'s captures).
void AsyncOpenTunnel(boost::asio::ip::tcp::socket& socket, const Strand& strand, const gemini::ProxyUrl& proxy,
                     const std::string& host, int port, std::function<void(absl::Status)> done);

}  // namespace gempool::upstream
