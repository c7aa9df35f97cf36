#pragma once
// How gempool's blocking HTTP calls set up a cpp-httplib client: the key
// broker's key probes and the gateway's image fetches, one request per
// client. Stateless; thread-safe.

#include <httplib.h>

#include <cstdint>
#include <string>

namespace gempool::gemini {

// No keep-alive (one request per client); redirects not followed (the
// caller checks each hop); the path sent as given (it is already encoded);
// `timeout_seconds` for connecting, reading and writing each; and for https
// the server's certificate verified, against `ca_cert_file` (a PEM bundle;
// empty: the system's).
void ConfigureOneShotClient(httplib::Client& client, bool https, int64_t timeout_seconds,
                            const std::string& ca_cert_file);

}  // namespace gempool::gemini
