#pragma once
// JSON text → nlohmann::json, the same value nlohmann::json::parse(text)
// builds (and the same inputs refused), in a quarter of the instructions on
// the bodies the gateway reads: the benchmark's chat request and Gemini's
// answer to it take 34,000 instructions instead of 134,000 (callgrind, both
// documents, freeing the values included).
//
// Why: profiling the OpenAI chat path (bench/profile.py --case chat) showed
// nlohmann's parser at a quarter of the gateway's instructions per call: its
// lexer reads a character at a time through an input adapter and appends
// each one to a token buffer. Here the plain runs of strings are found 16
// bytes at a time and copied once, and numbers are converted from the text
// in place.
//
// Same as nlohmann (3.11, no callback, no comments): RFC 8259 grammar; ' ',
// '\t', '\n', '\r' as whitespace; a leading UTF-8 byte order mark skipped; a
// NUL byte outside a string ends the input (as for nlohmann's lexer);
// positive integers that fit uint64_t are unsigned, negative ones that fit
// int64_t are integers, other numbers are doubles (strtod, so rounding is
// identical) and must be finite; strings must be well-formed UTF-8 with
// control characters escaped, and \u escapes must pair surrogates; the last
// of duplicate object keys wins. The one difference: nesting deeper than
// kMaxJsonDepth arrays and objects is refused, so a hostile body cannot make
// a reader (or the code walking its result) recurse without bound.
//
// Stateless; thread-safe.

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// How deeply arrays and objects may nest in a document ParseJson accepts.
inline constexpr int kMaxJsonDepth = 512;

// The value of the JSON document `text`; InvalidArgument saying what is wrong
// and where (line, column and byte offset) when it is not one.
absl::StatusOr<nlohmann::json> ParseJson(absl::string_view text);

}  // namespace gempool::openai
