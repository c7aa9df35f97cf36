#include "gempool/anthropic/thought_signature.h"

#include <gtest/gtest.h>

namespace gempool::anthropic {
namespace {

TEST(ThoughtSignatureTest, EachAnchorRoundTrips) {
  for (SignatureAnchor anchor : {SignatureAnchor::kNext, SignatureAnchor::kPrevious, SignatureAnchor::kOwn}) {
    const std::string tagged = TagSignature(anchor, "CiQBx+/=sig");
    std::optional<TaggedSignature> parsed = ParseTaggedSignature(tagged);
    ASSERT_TRUE(parsed.has_value()) << tagged;
    EXPECT_EQ(parsed->anchor, anchor);
    EXPECT_EQ(parsed->gemini_signature, "CiQBx+/=sig");
  }
  EXPECT_EQ(TagSignature(SignatureAnchor::kNext, "abc"), "gempool.1.n.abc");
  EXPECT_EQ(TagSignature(SignatureAnchor::kPrevious, "abc"), "gempool.1.p.abc");
  EXPECT_EQ(TagSignature(SignatureAnchor::kOwn, "abc"), "gempool.1.o.abc");
}

TEST(ThoughtSignatureTest, ForeignOrMalformedValuesAreNotGemini) {
  // A real Claude signature, and near misses of the tag.
  for (const char* value : {"EqQBCkgIARABGAIiQL2...", "", "gempool.1.", "gempool.1.n", "gempool.1.n.",
                            "gempool.1.x.abc", "gempool.2.n.abc", "gempool.1.nabc", "GEMPOOL.1.n.abc"}) {
    EXPECT_FALSE(ParseTaggedSignature(value).has_value()) << value;
  }
}

}  // namespace
}  // namespace gempool::anthropic
