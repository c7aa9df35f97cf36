#pragma once
// The bytes of a proxy handshake, without sockets: the HTTP CONNECT request
// and its answer, and the SOCKS5 exchange (RFC 1928: greeting, method choice,
// CONNECT request and reply; RFC 1929: username/password). ProxyTunnel sends
// and receives them; keeping them pure lets the tests check every byte and
// every refusal without a proxy. Stateless; thread-safe.
//
// SOCKS5 addressing: an IP literal goes as ATYP 1 (IPv4) or 4 (IPv6); a host
// name goes as ATYP 3 (domain name, resolved by the proxy) for socks5h:// and
// also for socks5://. Resolving locally for socks5:// (as curl does) would add
// a DNS lookup the proxy may not even be able to route, and leak the name to
// the local resolver; every SOCKS5 proxy worth using accepts ATYP 3.

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::upstream {

// "Basic base64(user:password)", for Proxy-Authorization.
std::string ProxyBasicCredentials(absl::string_view username, absl::string_view password);

// "CONNECT host:port HTTP/1.1" with Host, and Proxy-Authorization when
// `username` is not empty; IPv6 hosts are bracketed.
std::string HttpConnectRequest(absl::string_view host, int port, absl::string_view username,
                               absl::string_view password);

// `head` is the proxy's answer up to and including the blank line. OK for a
// 2xx status; kUnavailable naming the status otherwise (407 says whether the
// credentials were missing or refused), kInternal for a malformed answer.
absl::Status ParseHttpConnectResponse(absl::string_view head, bool sent_credentials);

// The SOCKS5 greeting: "no authentication", plus "username/password" when
// `offer_password`.
std::string Socks5Greeting(bool offer_password);

enum class Socks5Method { kNoAuth, kPassword };

// The 2-byte method choice. kUnavailable when the proxy accepts none of the
// offered methods, kInternal when it does not speak SOCKS5.
absl::StatusOr<Socks5Method> ParseSocks5MethodChoice(absl::string_view reply, bool offered_password);

// The RFC 1929 request; kInvalidArgument when a name or password is longer
// than 255 bytes.
absl::StatusOr<std::string> Socks5PasswordRequest(absl::string_view username, absl::string_view password);

// The 2-byte RFC 1929 reply; kPermissionDenied when the credentials are refused.
absl::Status ParseSocks5PasswordReply(absl::string_view reply);

// CONNECT to host:port, addressed as described at the top of this file.
// kInvalidArgument for an empty or over-long host name or a bad port.
absl::StatusOr<std::string> Socks5ConnectRequest(absl::string_view host, int port);

// How many bytes of the CONNECT reply to read first: enough to know its length.
inline constexpr size_t kSocks5ReplyPrefixSize = 5;

// The whole reply's length, from its first kSocks5ReplyPrefixSize bytes.
// kInternal for an unknown address type or a reply that is not SOCKS5.
absl::StatusOr<size_t> Socks5ConnectReplySize(absl::string_view prefix);

// The whole CONNECT reply: OK when the proxy connected, else kUnavailable
// naming the reply code ("SOCKS5 proxy refused the connection: connection
// refused (reply 5)").
absl::Status ParseSocks5ConnectReply(absl::string_view reply);

}  // namespace gempool::upstream
