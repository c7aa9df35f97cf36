#include "upstream/address_policy.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gempool::gateway {
namespace {

bool IsPublicV4(const unsigned char* a) {
  const unsigned b0 = a[0];
  const unsigned b1 = a[1];
  const unsigned b2 = a[2];
  if (b0 == 0) return false;                                // "this network"
  if (b0 == 10) return false;                               // private
  if (b0 == 100 && (b1 & 0xC0) == 64) return false;         // 100.64/10 carrier-grade NAT
  if (b0 == 127) return false;                              // loopback
  if (b0 == 169 && b1 == 254) return false;                 // link-local, cloud metadata
  if (b0 == 172 && (b1 & 0xF0) == 16) return false;         // 172.16/12 private
  if (b0 == 192 && b1 == 0 && (b2 == 0 || b2 == 2)) return false;  // IETF protocol assignments, TEST-NET-1
  if (b0 == 192 && b1 == 88 && b2 == 99) return false;      // 6to4 relay anycast
  if (b0 == 192 && b1 == 168) return false;                 // private
  if (b0 == 198 && (b1 & 0xFE) == 18) return false;         // 198.18/15 benchmarking
  if (b0 == 198 && b1 == 51 && b2 == 100) return false;     // TEST-NET-2
  if (b0 == 203 && b1 == 0 && b2 == 113) return false;      // TEST-NET-3
  if (b0 >= 224) return false;                              // multicast, reserved, broadcast
  return true;
}

bool AllZero(const unsigned char* a, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != 0) return false;
  }
  return true;
}

}  // namespace

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, text, sizeof(text));
  return text;
}

absl::StatusOr<IpAddress> ParseIpAddress(absl::string_view text) {
  absl::ConsumePrefix(&text, "[");
  absl::ConsumeSuffix(&text, "]");
  const std::string s(text);
  IpAddress out;
  if (inet_pton(AF_INET, s.c_str(), out.bytes) == 1) return out;
  if (inet_pton(AF_INET6, s.c_str(), out.bytes) == 1) {
    out.v6 = true;
    return out;
  }
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a numeric IP address"));
}

bool IsPublicAddress(const IpAddress& address) {
  const unsigned char* a = address.bytes;
  if (!address.v6) return IsPublicV4(a);
  if (AllZero(a, 16)) return false;                                 // ::
  if (AllZero(a, 15) && a[15] == 1) return false;                   // ::1
  if (AllZero(a, 10) && a[10] == 0xFF && a[11] == 0xFF) return IsPublicV4(a + 12);  // ::ffff:a.b.c.d
  if (AllZero(a, 12)) return false;                                 // ::a.b.c.d (deprecated)
  // 64:ff9b::/96 NAT64 and 64:ff9b:1::/48 local-use NAT64.
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xFF && a[3] == 0x9B) {
    if (AllZero(a + 4, 8)) return IsPublicV4(a + 12);
    return false;
  }
  if (a[0] == 0x01 && AllZero(a + 1, 7)) return false;              // 100::/64 discard
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0D && a[3] == 0xB8) return false;  // 2001:db8::/32 documentation
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && a[3] == 0x00) return false;  // 2001::/32 Teredo
  if (a[0] == 0x20 && a[1] == 0x02) return IsPublicV4(a + 2);       // 2002::/16 6to4
  if ((a[0] & 0xFE) == 0xFC) return false;                          // fc00::/7 unique local
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) return false;          // fe80::/10 link-local
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0xC0) return false;          // fec0::/10 site-local (deprecated)
  if (a[0] == 0xFF) return false;                                   // multicast
  return (a[0] & 0xE0) == 0x20;                                     // 2000::/3 global unicast only
}

}  // namespace gempool::gateway
