#pragma once
// KeyRecord.model_cooldowns is stored as JSON text in one column:
//   [{"model":"gemini-2.5-flash","until_ms":1760000000000,"reason":"..."}]
// so the key table keeps one row per key on every backend.

#include <string>

#include "absl/strings/string_view.h"
#include "gempool/v1/types.pb.h"
#include "google/protobuf/repeated_field.h"

namespace gempool::storage {

using ModelCooldowns = google::protobuf::RepeatedPtrField<v1::ModelCooldown>;

// The JSON text for `cooldowns` ("[]" when empty). Invalid UTF-8 is replaced.
std::string EncodeCooldowns(const ModelCooldowns& cooldowns);

// Parses text written by EncodeCooldowns into `out` (cleared first). Empty
// text is an empty list. Returns false, leaving `out` empty, when the text is
// not such a list.
bool DecodeCooldowns(absl::string_view json, ModelCooldowns* out);

}  // namespace gempool::storage
