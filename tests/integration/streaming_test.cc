// Streams are forwarded as they arrive, chunk by chunk, in both framings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr int kChunks = 5;
constexpr int kIntervalMs = 300;

class StreamingTest : public StackTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartStack());
    ASSERT_TRUE(
        fake()
            .ScriptKey("", "",
                       json::array({{{"kind", "slow_stream"}, {"chunks", kChunks}, {"intervalMs", kIntervalMs}}}),
                       false)
            .ok());
  }

  // The fake sends chunk 1 at once and the last (kChunks-1)*kIntervalMs
  // later. A gateway that buffered would deliver them together; one that
  // streams delivers the first long before the last was even sent.
  static void ExpectIncremental(const StreamedResponse& r) {
    const int64_t first = r.ArrivalOf("chunk 1 of 5");
    const int64_t last = r.ArrivalOf("chunk 5 of 5");
    ASSERT_GE(first, 0) << r.body;
    ASSERT_GE(last, 0) << r.body;
    EXPECT_GE(last - first, (kChunks - 1) * kIntervalMs / 2)
        << "chunk 1 arrived at " << first << " ms and chunk 5 at " << last << " ms: the gateway held the stream back";
    EXPECT_GE(r.pieces.size(), 2u);
  }
};

TEST_F(StreamingTest, SseArrivesChunkByChunk) {
  StreamedResponse r = PostStreaming(stack().gateway_port(), GeneratePath(kFlash, "streamGenerateContent") + "?alt=sse",
                                     Auth(), GenerateBody("stream to me"));
  ASSERT_TRUE(r.completed) << httplib::to_string(r.error);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.Header("Content-Type"), StartsWith("text/event-stream"));
  // Google's framing, untouched: CRLF-terminated data events, nothing else.
  EXPECT_THAT(r.body, StartsWith("data: {"));
  EXPECT_THAT(r.body, EndsWith("\r\n\r\n"));
  EXPECT_THAT(r.body, Not(HasSubstr("event:")));
  EXPECT_THAT(r.body, Not(HasSubstr("[DONE]")));
  const std::vector<std::string> events = SseEvents(r.body);
  ASSERT_THAT(events, SizeIs(kChunks));
  for (int i = 0; i < kChunks; ++i) {
    json chunk = json::parse(events[i], nullptr, false);
    ASSERT_FALSE(chunk.is_discarded()) << events[i];
    EXPECT_EQ(chunk["candidates"][0]["content"]["parts"][0]["text"], "chunk " + std::to_string(i + 1) + " of 5. ");
  }
  ExpectIncremental(r);
}

TEST_F(StreamingTest, JsonArrayArrivesChunkByChunk) {
  StreamedResponse r = PostStreaming(stack().gateway_port(), GeneratePath(kFlash, "streamGenerateContent"), Auth(),
                                     GenerateBody("stream to me"));
  ASSERT_TRUE(r.completed) << httplib::to_string(r.error);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.Header("Content-Type"), HasSubstr("application/json"));
  EXPECT_THAT(r.body, StartsWith("[{"));
  EXPECT_THAT(r.body, HasSubstr("\n,\r\n{"));
  EXPECT_THAT(r.body, EndsWith("\n]"));
  json array = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(array.is_array()) << r.body;
  EXPECT_THAT(array, SizeIs(kChunks));
  ExpectIncremental(r);
}

}  // namespace
}  // namespace gempool::integration
