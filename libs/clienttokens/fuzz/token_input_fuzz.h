#pragma once
// What an admin types for a managed client token (gempool/clienttokens/
// token_validation.h, model_allow_list.h), driven by arbitrary bytes. Input
// lines: the name, the expiry text, then allowed-model patterns up to a line
// "--", then model ids a client might call. Must never crash, and:
//  - an accepted name is 1 to 64 characters of well-formed UTF-8 without
//    control characters, not only spaces;
//  - an accepted expiry is 0 (never) or after now; a date is the end of
//    that day in the zone;
//  - accepted limits hold only patterns of model characters with "*" at most
//    at the end, and ModelAllowed lets a model through exactly when a
//    pattern names it (or its prefix), "models/" or not.
// The libFuzzer target and the replay test in gempool_clienttokens_test
// share it.

#include <cstddef>
#include <cstdint>

namespace gempool::clienttokens {

void FuzzTokenInput(const uint8_t* data, size_t size);

}  // namespace gempool::clienttokens
