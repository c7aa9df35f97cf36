#pragma once
// Client-token extraction (gempool/gemini/client_auth.h) driven by arbitrary
// bytes. Each input line sets one credential-bearing part by its first
// character: 'g' x-goog-api-key, 'a' Authorization, 'x' x-api-key, 'q' the
// raw query string (a later line wins). Must never crash, and:
//  - a token is found exactly when a form holds a non-blank value, from the
//    first such form in the documented order, trimmed, equal to what that
//    form carries (the ?key= value %-decoded);
//  - only an x-api-key token has an alternate (a different Bearer token);
//  - once the query's key is removed (what goes upstream), ?key= can no
//    longer be the form found.
// The libFuzzer target and the replay test in gempool_gemini_test share it.

#include <cstddef>
#include <cstdint>

namespace gempool::gemini {

void FuzzClientAuth(const uint8_t* data, size_t size);

}  // namespace gempool::gemini
