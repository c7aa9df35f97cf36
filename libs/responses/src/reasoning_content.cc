#include "gempool/responses/reasoning_content.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gempool::responses {
namespace {

// Versioned, so a later format can be told apart from this one.
constexpr absl::string_view kPrefix = "gempool.r1.";

}  // namespace

std::string EncodeReasoningContent(SignatureAnchor anchor, absl::string_view gemini_signature) {
  const char* tag = anchor == SignatureAnchor::kNext ? "n." : anchor == SignatureAnchor::kPrevious ? "p." : "o.";
  return absl::StrCat(kPrefix, tag, gemini_signature);
}

std::optional<TaggedSignature> DecodeReasoningContent(absl::string_view encrypted_content) {
  if (!absl::ConsumePrefix(&encrypted_content, kPrefix)) return std::nullopt;
  if (encrypted_content.size() < 3 || encrypted_content[1] != '.') return std::nullopt;
  TaggedSignature tagged;
  switch (encrypted_content[0]) {
    case 'n':
      tagged.anchor = SignatureAnchor::kNext;
      break;
    case 'p':
      tagged.anchor = SignatureAnchor::kPrevious;
      break;
    case 'o':
      tagged.anchor = SignatureAnchor::kOwn;
      break;
    default:
      return std::nullopt;
  }
  tagged.gemini_signature = std::string(encrypted_content.substr(2));
  return tagged;
}

}  // namespace gempool::responses
