#include "gempool/responses/reasoning_content.h"

namespace gempool::responses {
namespace {

// Versioned, so a later format can be told apart from this one.
constexpr absl::string_view kPrefix = "gempool.r1.";

}  // namespace

std::string EncodeReasoningContent(SignatureAnchor anchor, absl::string_view gemini_signature) {
  return openai::TagSignature(kPrefix, anchor, gemini_signature);
}

std::optional<TaggedSignature> DecodeReasoningContent(absl::string_view encrypted_content) {
  return openai::ParseTaggedSignature(kPrefix, encrypted_content);
}

}  // namespace gempool::responses
