#pragma once
// One connection to an upstream host (possibly tunnelled through a proxy):
// a TCP socket, wrapped in TLS once StartTls() is called. Calls read and write
// through it without caring which it is, and the pool keeps it between calls.
// Not thread-safe: one call uses it at a time, on that call's strand; an idle
// one in the pool has no operation pending.

#include <memory>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>

#include "absl/status/status.h"

namespace gempool::upstream {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class UpstreamConnection {
 public:
  using Tcp = boost::asio::ip::tcp;

  explicit UpstreamConnection(boost::asio::io_context& io) : socket_(io) {}
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  // The TCP socket (under TLS, if any).
  Tcp::socket& socket() { return tls_ ? tls_->next_layer() : socket_; }

  // Wraps the connected socket in TLS for `host`: SNI (for names, not IP
  // literals) and verification of the certificate against `host` (DNS name or
  // IP address), on top of the chain check `context` requires. Then call
  // AsyncHandshake().
  absl::Status StartTls(boost::asio::ssl::context& context, const std::string& host);

  template <typename Handler>
  void AsyncHandshake(Handler&& handler) {
    tls_->async_handshake(boost::asio::ssl::stream_base::client, std::forward<Handler>(handler));
  }

  template <typename MutableBuffer, typename Handler>
  void AsyncReadSome(const MutableBuffer& buffer, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffer, std::forward<Handler>(handler));
    } else {
      socket_.async_read_some(buffer, std::forward<Handler>(handler));
    }
  }

  template <typename ConstBuffer, typename Handler>
  void AsyncWriteSome(const ConstBuffer& buffer, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffer, std::forward<Handler>(handler));
    } else {
      socket_.async_write_some(buffer, std::forward<Handler>(handler));
    }
  }

  // Why the peer's certificate failed verification ("certificate has
  // expired", "hostname mismatch"), "" when it did not (or TLS is not on).
  std::string VerifyFailure() const;

  // For an idle connection about to be reused: false when the peer has closed
  // it, reset it, or sent something nobody asked for (it cannot carry a new
  // request then). Does not block.
  bool LooksReusable();

  // Closes the socket; pending operations end with operation_aborted. The
  // object must stay alive until they have.
  void Close();

 private:
  Tcp::socket socket_;  // Moved into tls_ by StartTls().
  std::unique_ptr<boost::asio::ssl::stream<Tcp::socket>> tls_;
};

}  // namespace gempool::upstream
