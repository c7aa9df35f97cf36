#pragma once
// The bytes of JSON strings as nlohmann::json treats them, shared by the JSON
// reader and writer so both agree with nlohmann byte for byte: a
// word-at-a-time test for bytes that cannot be copied verbatim, the
// two-character escapes, and UTF-8 well-formedness (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF). Internal to gempool_openai;
// pure functions, thread-safe.

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/strings/string_view.h"
#include "gempool/common/utf8.h"

namespace gempool::openai::internal {

inline constexpr uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr uint64_t kHighs = 0x8080808080808080ULL;

// Whether a byte of `w` is zero.
constexpr uint64_t HasZeroByte(uint64_t w) { return (w - kOnes) & ~w & kHighs; }

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "words are read from memory as little-endian");

// The bytes of `w` (8 bytes read from memory) that need a look: non-ASCII
// (UTF-8 to check), control characters, '"' and '\\', as their high bits.
// Word-at-a-time, so plain text costs about one instruction per byte. Bytes
// after the first flagged one may be flagged wrongly (a borrow); the first
// flagged byte always needs a look, so __builtin_ctzll(mask) / 8 is its
// index.
constexpr uint64_t LookMask(uint64_t w) {
  return (w & kHighs) | ((w - 0x20 * kOnes) & ~w & kHighs) | HasZeroByte(w ^ ('"' * kOnes)) |
         HasZeroByte(w ^ ('\\' * kOnes));
}

// Whether any of the 8 bytes of `w` needs a look (see LookMask).
constexpr bool NeedsALook(uint64_t w) { return LookMask(w) != 0; }

// The bytes among the 16 at `p` that need a look (see LookMask), one bit
// each (bit i for p[i]), exactly; 0 when all 16 are copied as they are.
inline uint32_t LookBits16(const unsigned char* p) {
#if defined(__SSE2__)
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Signed: bytes from 0x80 up are negative, so below 0x20 as well.
  const __m128i look = _mm_or_si128(_mm_cmplt_epi8(bytes, _mm_set1_epi8(0x20)),
                                    _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')),
                                                 _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))));
  return static_cast<uint32_t>(_mm_movemask_epi8(look));
#else
  uint32_t bits = 0;
  for (int i = 0; i < 16; ++i) {
    const unsigned char c = p[i];
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') bits |= 1u << i;
  }
  return bits;
#endif
}

// JSON's two-character escapes, as (letter after the '\\', character).
// The writer uses them for the characters listed (and \u00XX for other
// control characters, as nlohmann does); the reader also takes "\/".
inline constexpr char kShortEscapes[][2] = {{'"', '"'},  {'\\', '\\'}, {'b', '\b'}, {'f', '\f'},
                                           {'n', '\n'}, {'r', '\r'},   {'t', '\t'}};

// The letter that follows '\\' in the escape of `c`, or 0 when `c` has none.
constexpr char EscapeLetter(char c) {
  for (const auto& [letter, character] : kShortEscapes) {
    if (character == c) return letter;
  }
  return 0;
}

// The character that "\<letter>" stands for, or 0 when it is not a
// two-character escape ('u' included: \uXXXX is read apart).
constexpr char UnescapedCharacter(char letter) {
  if (letter == '/') return '/';
  for (const auto& [escape, character] : kShortEscapes) {
    if (escape == letter) return character;
  }
  return 0;
}

// The length (2 to 4) of the well-formed multi-byte UTF-8 sequence at the
// start of `p` (at most `n` bytes, n >= 1, p[0] >= 0x80), or 0 when there is
// none there: gempool::Utf8SequenceLength, the one definition.
inline size_t Utf8SequenceLength(const unsigned char* p, size_t n) {
  return ::gempool::Utf8SequenceLength(absl::string_view(reinterpret_cast<const char*>(p), n));
}

}  // namespace gempool::openai::internal
