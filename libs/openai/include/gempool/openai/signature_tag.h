#pragma once
// Gemini thought signatures carried through a client API's opaque field (an
// Anthropic thinking block's `signature`, a Responses reasoning item's
// `encrypted_content`), tagged with where they go back in the model turn:
//   <prefix> <anchor> "." <Gemini's signature, verbatim>
// where <anchor> is 'n' (on the next part), 'p' (on the previous part) or
// 'o' (the item is its own thought part). The prefix names the API and
// format version, so gempool never mistakes another server's signature for
// Gemini's. Pure functions; thread-safe.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace gempool::openai {

enum class SignatureAnchor { kNext, kPrevious, kOwn };

struct TaggedSignature {
  SignatureAnchor anchor = SignatureAnchor::kNext;
  std::string gemini_signature;
};

std::string TagSignature(absl::string_view prefix, SignatureAnchor anchor, absl::string_view gemini_signature);

// The anchor and signature of a value `prefix` tagged; nullopt for anything
// else (another prefix, a malformed or empty value).
std::optional<TaggedSignature> ParseTaggedSignature(absl::string_view prefix, absl::string_view value);

}  // namespace gempool::openai
