#pragma once
// Which network addresses gempool may fetch client-supplied URLs from (image
// URLs in chat requests): only public unicast ones. Loopback, private
// (RFC 1918, unique-local), link-local (including cloud metadata at
// 169.254.169.254), carrier-grade NAT, multicast, documentation, benchmark
// and reserved ranges are refused, as are IPv4 addresses hidden in IPv6
// (mapped, compatible, NAT64, 6to4) that fall in those ranges. Pure
// functions; thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::gateway {

// The textual form of a numeric IPv4 or IPv6 address, parsed.
struct IpAddress {
  bool v6 = false;
  unsigned char bytes[16] = {};  // IPv4 uses the first 4.

  std::string ToString() const;
};

// Parses "203.0.113.7", "2001:db8::1" (brackets allowed); InvalidArgument
// for anything else (host names included).
absl::StatusOr<IpAddress> ParseIpAddress(absl::string_view text);

// Whether `address` is public unicast (fetching from it is allowed).
bool IsPublicAddress(const IpAddress& address);

}  // namespace gempool::gateway
