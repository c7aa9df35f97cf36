#pragma once
// Strict UTF-8 checks (RFC 3629): what log lines, Prometheus label values,
// client-token names and stored text accept as well-formed. Pure; thread-safe.

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace gempool {

// The length (1 to 4) of the well-formed UTF-8 sequence at the start of
// `text`, or 0 when `text` is empty or starts with none: a stray
// continuation byte, an overlong form, a surrogate (U+D800..U+DFFF), a code
// point past U+10FFFF, or a sequence cut short.
size_t Utf8SequenceLength(absl::string_view text);

// Whether all of `text` is well-formed UTF-8.
bool IsValidUtf8(absl::string_view text);

// `text` with every byte that starts no well-formed sequence replaced by
// U+FFFD: for text from outside (an upstream's error page) that is shown or
// stored as a JSON string, which must be UTF-8.
std::string WithValidUtf8(absl::string_view text);

}  // namespace gempool
