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
// Inline: the JSON reader and writer (libs/openai) call it for every
// non-ASCII character they pass.
inline size_t Utf8SequenceLength(absl::string_view text) {
  if (text.empty()) return 0;
  const auto byte = [&text](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // The range of the second byte.
  if (lead >= 0xC2 && lead <= 0xDF) {     // 0xC0 and 0xC1 only start overlong forms.
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // No overlong forms.
    if (lead == 0xED) high = 0x9F;  // No surrogates.
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // No overlong forms.
    if (lead == 0xF4) high = 0x8F;  // Nothing past U+10FFFF.
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

// At most `max_bytes` bytes of `text`, as well-formed UTF-8: each byte that
// starts no well-formed sequence becomes '?' (one byte for one), and the cut
// never splits a character. For text bound for a sized column or a protobuf
// string field (which must be UTF-8).
std::string ValidUtf8Prefix(absl::string_view text, size_t max_bytes);

// Whether all of `text` is well-formed UTF-8.
bool IsValidUtf8(absl::string_view text);

// `text` with every byte that starts no well-formed sequence replaced by
// U+FFFD: for text from outside (an upstream's error page) that is shown or
// stored as a JSON string, which must be UTF-8.
std::string WithValidUtf8(absl::string_view text);

}  // namespace gempool
