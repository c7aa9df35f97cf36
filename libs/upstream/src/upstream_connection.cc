#include "upstream_connection.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace gempool::upstream {

absl::Status UpstreamConnection::StartTls(boost::asio::ssl::context& context, const std::string& host) {
  tls_ = std::make_unique<boost::asio::ssl::stream<Tcp::socket>>(std::move(socket_), context);
  SSL* ssl = tls_->native_handle();
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  const bool ip_literal = !ec;
  // OpenSSL checks the name during the handshake, so a mismatch fails it with
  // X509_V_ERR_HOSTNAME_MISMATCH, which VerifyFailure() can then name.
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int checked = ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                                 : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (checked != 1) return absl::InternalError(absl::StrCat("cannot verify TLS certificates for host '", host, "'"));
  // SNI carries host names only (RFC 6066).
  if (!ip_literal && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return absl::InternalError(absl::StrCat("cannot set the TLS server name '", host, "'"));
  }
  return absl::OkStatus();
}

std::string UpstreamConnection::VerifyFailure() const {
  if (!tls_) return "";
  const long result = SSL_get_verify_result(tls_->native_handle());
  if (result == X509_V_OK) return "";
  return X509_verify_cert_error_string(result);
}

bool UpstreamConnection::LooksReusable() {
  if (!socket().is_open()) return false;
  if (tls_ && SSL_pending(tls_->native_handle()) > 0) return false;
  char byte = 0;
  const ssize_t n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void UpstreamConnection::Close() {
  boost::system::error_code ignored;
  socket().close(ignored);
}

}  // namespace gempool::upstream
