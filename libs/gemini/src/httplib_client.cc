#include "gempool/gemini/httplib_client.h"

namespace gempool::gemini {

void ConfigureOneShotClient(httplib::Client& client, bool https, int64_t timeout_seconds,
                            const std::string& ca_cert_file) {
  client.set_keep_alive(false);
  client.set_follow_location(false);
  client.set_url_encode(false);
  client.set_connection_timeout(static_cast<time_t>(timeout_seconds), 0);
  client.set_read_timeout(static_cast<time_t>(timeout_seconds), 0);
  client.set_write_timeout(static_cast<time_t>(timeout_seconds), 0);
  if (https) {
    client.set_ca_cert_path(ca_cert_file);
    client.enable_server_certificate_verification(true);
  }
}

}  // namespace gempool::gemini
