#pragma once
// What every call of one UpstreamClient shares: the event loop, the options,
// the TLS context, the connection pool, and the set of calls in flight (so
// AbortAll can reach them). Calls hold it by shared_ptr, so it lives until
// the last call has ended even if the client is gone. Thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "gempool/common/mutex.h"
#include "connection_pool.h"
#include "gempool/upstream/upstream_client.h"

namespace gempool::upstream {

class CallImpl;

class ClientCore {
 public:
  ClientCore(boost::asio::io_context& io, UpstreamClient::Options options);

  boost::asio::io_context& io() { return io_; }
  const UpstreamClient::Options& options() const { return options_; }
  ConnectionPool& pool() { return pool_; }
  // The TLS context, loaded at the first https call (the CA bundle is a
  // megabyte or two of heap, idle for a gateway whose BASE_URL is http).
  // Null when the CA file could not be loaded; tls_error() says why.
  boost::asio::ssl::context* tls();
  const std::string& tls_error() const { return tls_error_; }

  // Records a call as in flight; false once AbortAll has run.
  bool Register(const std::shared_ptr<CallImpl>& call);
  void Unregister(const CallImpl* call);
  bool aborted();
  // Refuses new calls, closes the pool, and returns the calls in flight (to
  // be aborted by the caller, outside the lock).
  std::vector<std::shared_ptr<CallImpl>> AbortAndTakeCalls();

 private:
  boost::asio::io_context& io_;
  const UpstreamClient::Options options_;
  void LoadTls();

  std::once_flag tls_loaded_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::string tls_error_;
  ConnectionPool pool_;
  Mutex mu_;
  bool aborted_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<const CallImpl*, std::weak_ptr<CallImpl>> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::upstream
