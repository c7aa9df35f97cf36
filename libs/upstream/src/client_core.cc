#include "client_core.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gempool::upstream {
namespace ssl = boost::asio::ssl;

ClientCore::ClientCore(boost::asio::io_context& io, UpstreamClient::Options options)
    : io_(io),
      options_(std::move(options)),
      pool_(options_.max_idle_per_host, std::chrono::seconds(options_.max_idle_seconds)) {}

boost::asio::ssl::context* ClientCore::tls() {
  std::call_once(tls_loaded_, [this] { LoadTls(); });
  return tls_.get();
}

void ClientCore::LoadTls() {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  context->load_verify_file(options_.ca_cert_file, ec);
  if (ec) {
    tls_error_ = absl::StrCat("could not load the CA certificates from '", options_.ca_cert_file, "': ", ec.message());
  } else {
    tls_ = std::move(context);
  }
}

bool ClientCore::Register(const std::shared_ptr<CallImpl>& call) {
  MutexLock lock(&mu_);
  if (aborted_) return false;
  calls_.emplace(call.get(), call);
  return true;
}

void ClientCore::Unregister(const CallImpl* call) {
  MutexLock lock(&mu_);
  calls_.erase(call);
}

bool ClientCore::aborted() {
  MutexLock lock(&mu_);
  return aborted_;
}

std::vector<std::shared_ptr<CallImpl>> ClientCore::AbortAndTakeCalls() {
  std::vector<std::shared_ptr<CallImpl>> calls;
  {
    MutexLock lock(&mu_);
    aborted_ = true;
    for (auto& [raw, weak] : calls_) {
      if (auto call = weak.lock()) calls.push_back(std::move(call));
    }
    calls_.clear();
  }
  pool_.Close();
  return calls;
}

}  // namespace gempool::upstream
