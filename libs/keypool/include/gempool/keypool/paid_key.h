#pragma once
// PAID_KEY: one key that serves the image models (Imagen) outside the
// rotation, under a reserved id no pool key has. The same rule wherever keys
// are handed out: in the key broker and in a gateway's replica of the pool.
// Stateless; thread-safe.

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gempool/keypool/key_pool.h"

namespace gempool::keypool {

// The key id the paid key is handed out under (persistence assigns pool ids
// from 1). Reports against it are ignored: the paid key is not health-tracked.
inline constexpr int64_t kPaidKeyId = -1;

// Whether `model` (without "models/") is an image model PAID_KEY serves:
// Imagen, ids starting with "imagen-".
bool IsPaidKeyModel(absl::string_view model);

// The answer for `model` when PAID_KEY serves it: the paid key, or "not
// available" when it was already tried for this request (kPaidKeyId in
// `exclude`). nullopt when the pool serves `model` (PAID_KEY unset, or not
// an image model).
std::optional<AcquireResult> AcquirePaidKey(absl::string_view paid_key, absl::string_view model,
                                            absl::Span<const int64_t> exclude);

}  // namespace gempool::keypool
