#include "gempool/anthropic/thought_signature.h"

namespace gempool::anthropic {
namespace {

constexpr absl::string_view kPrefix = "gempool.1.";

}  // namespace

std::string TagSignature(SignatureAnchor anchor, absl::string_view gemini_signature) {
  return openai::TagSignature(kPrefix, anchor, gemini_signature);
}

std::optional<TaggedSignature> ParseTaggedSignature(absl::string_view signature) {
  return openai::ParseTaggedSignature(kPrefix, signature);
}

}  // namespace gempool::anthropic
