#pragma once
// libs/gemini's route and URL parsing driven by arbitrary bytes: the input's
// first byte picks the HTTP verb ('G' GET, 'P' POST, else DELETE), the rest
// is a request target "path?query" as a client sends it. Must never crash,
// and:
//  - a parsed route re-serialised (prefix + UpstreamPath) parses to the same
//    route, and so does that path with every byte %-escaped;
//  - the upstream path names one resource: no "." or ".." segment;
//  - PercentDecode yields only bytes of the input or of its %XX escapes
//    (checked against an independent decoder), undoes any encoding, and
//    never grows the text;
//  - RemoveQueryParam leaves no parameter of that name, keeps every other
//    piece byte for byte and in order, and the upstream query built from the
//    client's never carries a key.
// The libFuzzer target and the replay test in gempool_gemini_test share it.

#include <cstddef>
#include <cstdint>

namespace gempool::gemini {

void FuzzRoute(const uint8_t* data, size_t size);

}  // namespace gempool::gemini
