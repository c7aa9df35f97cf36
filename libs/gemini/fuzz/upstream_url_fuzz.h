#pragma once
// BASE_URL and PROXIES parsing (gempool/gemini/upstream_url.h) driven by
// arbitrary bytes: the whole input is tried as both. Must never crash, and:
//  - an accepted BASE_URL has an http(s) scheme, a port in 1..65535, a host
//    that cannot break the Host header, a path of printable ASCII without a
//    trailing '/', and written back out it parses to the same BaseUrl;
//  - an accepted proxy has a known scheme, a port in 1..65535 and the
//    %-decoded credentials of its URL;
//  - no error message shows the password of a URL that carries one.
// The libFuzzer target and the replay test in gempool_gemini_test share it.

#include <cstddef>
#include <cstdint>

namespace gempool::gemini {

void FuzzUpstreamUrl(const uint8_t* data, size_t size);

}  // namespace gempool::gemini
