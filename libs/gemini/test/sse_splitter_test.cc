#include "gempool/gemini/sse_splitter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gempool/testing/status_matchers.h"

namespace gempool::gemini {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Feeds `body` in pieces of `piece` bytes and then finishes; returns every event.
std::vector<std::string> SplitInPieces(const std::string& body, size_t piece) {
  SseSplitter splitter;
  std::vector<std::string> all;
  for (size_t at = 0; at < body.size(); at += piece) {
    auto events = splitter.Feed(absl::string_view(body).substr(at, piece));
    EXPECT_TRUE(events.ok()) << events.status();
    if (!events.ok()) return all;
    all.insert(all.end(), events->begin(), events->end());
  }
  auto rest = splitter.Finish();
  EXPECT_TRUE(rest.ok()) << rest.status();
  if (rest.ok()) all.insert(all.end(), rest->begin(), rest->end());
  return all;
}

TEST(SseSplitterTest, SplitsCrlfFramedEvents) {
  SseSplitter splitter;
  auto events = splitter.Feed("data: {\"a\":1}\r\n\r\ndata: {\"b\":2}\r\n\r\n");
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(*events, ElementsAre("{\"a\":1}", "{\"b\":2}"));
}

TEST(SseSplitterTest, SplitsLfAndCrFramedEvents) {
  EXPECT_THAT(SplitInPieces("data: one\n\ndata: two\n\n", 1000), ElementsAre("one", "two"));
  EXPECT_THAT(SplitInPieces("data: one\r\rdata: two\r\r", 1000), ElementsAre("one", "two"));
}

TEST(SseSplitterTest, EventsCutAnywhereComeOutWhole) {
  const std::string body =
      "data: {\"text\":\"first\"}\r\n\r\n"
      "data:{\"text\":\"second\"}\r\n\r\n"
      ": keepalive\r\n\r\n"
      "data: {\"text\":\"third\"}\n\n";
  // Every piece size, including cuts between the CR and the LF of a line end.
  for (size_t piece = 1; piece <= body.size(); ++piece) {
    EXPECT_THAT(SplitInPieces(body, piece),
                ElementsAre("{\"text\":\"first\"}", "{\"text\":\"second\"}", "{\"text\":\"third\"}"))
        << "piece size " << piece;
  }
}

TEST(SseSplitterTest, NothingComesOutBeforeTheBlankLine) {
  SseSplitter splitter;
  auto first = splitter.Feed("data: {\"partial\":");
  ASSERT_TRUE(first.ok());
  EXPECT_THAT(*first, IsEmpty());
  auto second = splitter.Feed("true}\r\n");
  ASSERT_TRUE(second.ok());
  EXPECT_THAT(*second, IsEmpty());
  auto third = splitter.Feed("\r\n");
  ASSERT_TRUE(third.ok());
  EXPECT_THAT(*third, ElementsAre("{\"partial\":true}"));
}

TEST(SseSplitterTest, JoinsMultiLineDataAndIgnoresOtherFields) {
  EXPECT_THAT(SplitInPieces("event: message\nid: 7\nretry: 10\ndata: a\ndata:b\ndata\n\n", 3),
              ElementsAre("a\nb\n"));
}

TEST(SseSplitterTest, EventsWithoutDataYieldNothing) {
  EXPECT_THAT(SplitInPieces(": comment\n\nevent: ping\n\n\n\n", 5), IsEmpty());
}

TEST(SseSplitterTest, FinishFlushesAnUnterminatedLastEvent) {
  EXPECT_THAT(SplitInPieces("data: one\r\n\r\ndata: last", 4), ElementsAre("one", "last"));
  EXPECT_THAT(SplitInPieces("data: one\r\n\r\ndata: last\r\n", 4), ElementsAre("one", "last"));
}

TEST(SseSplitterTest, KeepsOnlyTheFirstSpaceOfTheValue) {
  EXPECT_THAT(SplitInPieces("data:  two spaces\n\n", 100), ElementsAre(" two spaces"));
}

TEST(SseSplitterTest, RefusesAnEventThatOutgrowsTheLimit) {
  SseSplitter splitter(/*max_event_bytes=*/16);
  EXPECT_THAT(splitter.Feed("data: 0123456789").status(), gempool::testing::IsOk());
  EXPECT_THAT(splitter.Feed("abcdefghij").status(), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(splitter.Feed("\n\n").status(), StatusIs(absl::StatusCode::kResourceExhausted));
  splitter.Reset();
  auto events = splitter.Feed("data: small\n\n");
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(*events, ElementsAre("small"));
}

// The limit was checked only after each read, so an oversized event that
// began and ended within one read came out while the same bytes cut in
// pieces were refused (fuzz/sse_splitter_fuzz.h checks that whole and cut
// bodies agree; tests/fuzz/gemini_sse/whole_read_over_limit).
TEST(SseSplitterTest, RefusesAnOversizedEventWithinOneRead) {
  SseSplitter splitter(/*max_event_bytes=*/16);
  EXPECT_THAT(splitter.Feed("data: 0123456789abcdefghij\n\n").status(),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(splitter.Finish().status(), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(SseSplitterTest, ResetDropsAPartialEvent) {
  SseSplitter splitter;
  ASSERT_TRUE(splitter.Feed("data: from a broken attempt").ok());
  splitter.Reset();
  auto events = splitter.Feed("data: fresh\r\n\r\n");
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(*events, ElementsAre("fresh"));
}

}  // namespace
}  // namespace gempool::gemini
