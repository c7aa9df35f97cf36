#include "gempool/gemini/httplib_error.h"

#include "absl/strings/str_cat.h"

namespace gempool::gemini {

std::string DescribeHttplibError(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect (refused, unreachable or DNS failure)";
    case httplib::Error::ConnectionTimeout:
      return "connect timed out";
    case httplib::Error::Read:
      return "the connection broke while reading the response";
    case httplib::Error::Write:
      return "the connection broke while sending the request";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts:
      return "could not load the CA certificates";
    case httplib::Error::SSLServerVerification:
      return "the server certificate did not verify";
    case httplib::Error::Canceled:
      return "cancelled: the process is stopping";
    default:
      return absl::StrCat("transport error ", httplib::to_string(error));
  }
}

}  // namespace gempool::gemini
