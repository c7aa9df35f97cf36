#include "gempool/responses/reasoning_content.h"

#include <gtest/gtest.h>

namespace gempool::responses {
namespace {

TEST(ReasoningContentTest, RoundTripsEveryAnchor) {
  for (SignatureAnchor anchor : {SignatureAnchor::kNext, SignatureAnchor::kPrevious, SignatureAnchor::kOwn}) {
    auto decoded = DecodeReasoningContent(EncodeReasoningContent(anchor, "c2ln.with.dots=="));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->anchor, anchor);
    EXPECT_EQ(decoded->gemini_signature, "c2ln.with.dots==");
  }
  EXPECT_EQ(EncodeReasoningContent(SignatureAnchor::kNext, "S"), "gempool.r1.n.S");
}

TEST(ReasoningContentTest, RefusesAnythingElse) {
  for (const char* text : {"", "gAAAAABopenai-encrypted", "gempool.r1.", "gempool.r1.x.S", "gempool.r1.nS",
                           "gempool.1.n.S", "gempool.r1.n"}) {
    EXPECT_FALSE(DecodeReasoningContent(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace gempool::responses
