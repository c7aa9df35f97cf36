#pragma once
// Finds Gemini's usageMetadata in an answer's bytes as they pass through,
// without parsing the answer: a whole generateContent body, an SSE stream
// (alt=sse) or a streamed JSON array, cut anywhere by network reads. Keeps
// the LAST usageMetadata seen, because a stream's counts are running totals
// (the last chunk carries the whole call's).
//
// Cheap on the hot path: a chunk without the key "usageMetadata" costs one
// memmem over its bytes and a copy of at most 14 of them (no allocation);
// only the object after the key is copied (up to kMaxObjectBytes), and only
// the last complete one is parsed, once, when last() is read (a stream
// carries one per event). An object whose brackets do not match is dropped
// as it ends, so the one before it stays. The key is matched with its
// quotes, so the words inside a text (where JSON escapes the quotes) do not
// match; a key of the same name nested elsewhere (e.g. in function call
// arguments) is overridden by the real one, which Gemini writes after the
// candidates. Not thread-safe; one per answer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "gempool/gemini/usage_metadata.h"

namespace gempool::gemini {

class UsageScanner {
 public:
  // A usageMetadata object longer than this is skipped (Gemini's are a few
  // hundred bytes; the bound keeps a hostile body from growing memory).
  static constexpr size_t kMaxObjectBytes = 16 * 1024;

  // Consumes the next bytes of the answer.
  void Feed(absl::string_view bytes);

  // The counts of the last complete usageMetadata object seen; nullopt
  // before the first (or when that object is not JSON). Parses it on each
  // call: read it once, when the answer has ended.
  std::optional<TokenCounts> last() const;

  // Forgets everything (a new answer begins, e.g. another attempt).
  void Reset();

 private:
  enum class State {
    kSearching,     // Looking for the quoted key.
    kBeforeColon,   // After the key: whitespace, then ':'.
    kBeforeObject,  // After the colon: whitespace, then '{'.
    kInObject,      // Copying the object until its braces balance.
  };

  // Runs the states after the key over `bytes`; returns how many it used
  // (all of them unless the scanner went back to kSearching).
  size_t Step(absl::string_view bytes);
  // Searches `bytes` (and the tail of the previous chunk) for the key;
  // returns the offset just past it, or npos.
  size_t FindKeyEnd(absl::string_view bytes);
  void KeepTail(absl::string_view bytes);
  void EndObject();

  State state_ = State::kSearching;
  std::string tail_;    // Up to key length - 1 bytes of the previous chunk (kSearching).
  std::string object_;  // The object so far (kInObject).
  std::string last_;    // The last complete object's text; empty before the first.
  int depth_ = 0;
  // Per open bracket below depth 64, whether it is '[' (bit depth - 1); a
  // closing bracket of the other kind ends the object as broken.
  uint64_t brackets_ = 0;
  bool broken_ = false;
  bool in_string_ = false;
  bool escaped_ = false;
  // The object outgrew kMaxObjectBytes: followed to its end, not copied
  // (so where the scan resumes does not depend on how bytes were cut).
  bool skipping_ = false;
};

}  // namespace gempool::gemini
