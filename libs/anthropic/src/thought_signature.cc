#include "gempool/anthropic/thought_signature.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gempool::anthropic {
namespace {

constexpr absl::string_view kPrefix = "gempool.1.";

char AnchorChar(SignatureAnchor anchor) {
  switch (anchor) {
    case SignatureAnchor::kNext:
      return 'n';
    case SignatureAnchor::kPrevious:
      return 'p';
    case SignatureAnchor::kOwn:
      return 'o';
  }
  return 'n';
}

}  // namespace

std::string TagSignature(SignatureAnchor anchor, absl::string_view gemini_signature) {
  return absl::StrCat(kPrefix, std::string(1, AnchorChar(anchor)), ".", gemini_signature);
}

std::optional<TaggedSignature> ParseTaggedSignature(absl::string_view signature) {
  if (!absl::ConsumePrefix(&signature, kPrefix) || signature.size() < 3 || signature[1] != '.') return std::nullopt;
  TaggedSignature tagged;
  switch (signature[0]) {
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
  tagged.gemini_signature = std::string(signature.substr(2));
  return tagged;
}

}  // namespace gempool::anthropic
