#include "gempool/openai/signature_tag.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gempool::openai {

std::string TagSignature(absl::string_view prefix, SignatureAnchor anchor, absl::string_view gemini_signature) {
  const char* tag = anchor == SignatureAnchor::kNext ? "n." : anchor == SignatureAnchor::kPrevious ? "p." : "o.";
  return absl::StrCat(prefix, tag, gemini_signature);
}

std::optional<TaggedSignature> ParseTaggedSignature(absl::string_view prefix, absl::string_view value) {
  if (!absl::ConsumePrefix(&value, prefix) || value.size() < 3 || value[1] != '.') return std::nullopt;
  TaggedSignature tagged;
  switch (value[0]) {
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
  tagged.gemini_signature = std::string(value.substr(2));
  return tagged;
}

}  // namespace gempool::openai
