#include "gempool/gemini/usage_scanner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"

namespace gempool::gemini {
namespace {

// The last usage after feeding `body` in pieces of `piece` bytes.
std::optional<TokenCounts> ScanInPieces(absl::string_view body, size_t piece) {
  UsageScanner scanner;
  for (size_t at = 0; at < body.size(); at += piece) scanner.Feed(body.substr(at, piece));
  return scanner.last();
}

TokenCounts Counts(int64_t prompt, int64_t candidates, int64_t thoughts, int64_t cached, int64_t tool_use,
                   int64_t total) {
  TokenCounts counts;
  counts.prompt = prompt;
  counts.candidates = candidates;
  counts.thoughts = thoughts;
  counts.cached = cached;
  counts.tool_use_prompt = tool_use;
  counts.total = total;
  return counts;
}

constexpr absl::string_view kSse =
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}],\"role\": \"model\"}}],"
    "\"usageMetadata\": {\"promptTokenCount\": 5,\"totalTokenCount\": 5,"
    "\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 5}]},\"modelVersion\": \"m\"}\r\n\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"lo}\\\"{\"}],\"role\": \"model\"},"
    "\"finishReason\": \"STOP\"}],\"usageMetadata\": {\"promptTokenCount\": 5,\"candidatesTokenCount\": 7,"
    "\"thoughtsTokenCount\": 11,\"cachedContentTokenCount\": 2,\"totalTokenCount\": 23},\"modelVersion\": \"m\"}"
    "\r\n\r\n";

TEST(UsageScannerTest, KeepsTheLastUsageOfAStreamWhereverItIsCut) {
  const TokenCounts want = Counts(5, 7, 11, 2, 0, 23);
  for (size_t piece = 1; piece <= kSse.size(); ++piece) {
    const auto got = ScanInPieces(kSse, piece);
    ASSERT_TRUE(got.has_value()) << "piece " << piece;
    EXPECT_EQ(*got, want) << "piece " << piece;
  }
}

TEST(UsageScannerTest, ReadsAWholePrettyPrintedBody) {
  const std::string body = R"({
  "candidates": [{"content": {"parts": [{"text": "hi"}], "role": "model"}}],
  "usageMetadata" :
  {
    "promptTokenCount": 12,
    "candidatesTokenCount": 30,
    "totalTokenCount": 42
  },
  "modelVersion": "gemini-2.0-flash"
})";
  const auto got = ScanInPieces(body, body.size());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Counts(12, 30, 0, 0, 0, 42));
}

TEST(UsageScannerTest, TheWordInsideATextDoesNotCount) {
  const std::string body =
      R"({"candidates": [{"content": {"parts": [{"text": "say \"usageMetadata\": {\"promptTokenCount\": 9}"}]}}]})";
  EXPECT_FALSE(ScanInPieces(body, 3).has_value());
}

TEST(UsageScannerTest, AStringValueNamedLikeTheKeyIsSkipped) {
  const std::string body =
      R"({"a": "usageMetadata", "b": ["usageMetadata"], "usageMetadata": {"promptTokenCount": 3}})";
  const auto got = ScanInPieces(body, 2);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->prompt, 3);
  EXPECT_EQ(got->total, 3);
}

TEST(UsageScannerTest, TheRealUsageAfterANestedOneWins) {
  const std::string body =
      R"([{"candidates": [{"content": {"parts": [{"functionCall": {"args": {"usageMetadata": {"promptTokenCount": 1}}}}]}}],)"
      R"("usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 2}}])";
  const auto got = ScanInPieces(body, 5);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Counts(8, 2, 0, 0, 0, 10));
}

TEST(UsageScannerTest, AnOversizedObjectIsSkippedAndTheNextOneRead) {
  std::string huge = R"({"usageMetadata": {"promptTokenCount": 1, "pad": ")";
  huge.append(UsageScanner::kMaxObjectBytes, 'x');
  huge += R"("}, "x": {"usageMetadata": {"promptTokenCount": 4}}})";
  for (size_t piece : {size_t{7}, huge.size()}) {
    const auto got = ScanInPieces(huge, piece);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->prompt, 4);
  }
}

TEST(UsageScannerTest, ResetForgetsAnEarlierAttempt) {
  UsageScanner scanner;
  scanner.Feed(R"({"usageMetadata": {"promptTokenCount": 4}, "x": "usageMeta)");
  ASSERT_TRUE(scanner.last().has_value());
  scanner.Reset();
  EXPECT_FALSE(scanner.last().has_value());
  scanner.Feed(R"(data": {"promptTokenCount": 9}})");  // Not joined with the earlier tail.
  EXPECT_FALSE(scanner.last().has_value());
}

TEST(UsageScannerTest, ABrokenObjectKeepsThePreviousUsage) {
  UsageScanner scanner;
  scanner.Feed(R"({"usageMetadata": {"promptTokenCount": 4}}{"usageMetadata": {"promptTokenCount": 5,]})");
  ASSERT_TRUE(scanner.last().has_value());
  EXPECT_EQ(scanner.last()->prompt, 4);
}

// Not a benchmark: prints what a typical streamed chunk without usage costs,
// for the report, and fails only if it is absurdly slow.
TEST(UsageScannerTest, AChunkWithoutUsageIsCheap) {
  std::string chunk = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"";
  chunk.append(400, 'a');
  chunk += "\"}],\"role\": \"model\"}}],\"modelVersion\": \"gemini-2.5-flash\"}\r\n\r\n";
  UsageScanner scanner;
  constexpr int kRounds = 200000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) scanner.Feed(chunk);
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(scanner.last().has_value());
  const double per_chunk = ns / kRounds;
  std::printf("UsageScanner: %.0f ns per %zu-byte chunk without usage\n", per_chunk, chunk.size());
  EXPECT_LT(per_chunk, 20000.0);

  // The last chunk of a stream, which carries the usage: copied (parsed
  // only when last() is read).
  std::string with_usage = chunk.substr(0, chunk.size() - 4);
  with_usage.insert(with_usage.size() - 1,
                    ",\"usageMetadata\": {\"promptTokenCount\": 12,\"candidatesTokenCount\": 300,"
                    "\"totalTokenCount\": 340,\"thoughtsTokenCount\": 28,"
                    "\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 12}]}");
  with_usage += "\r\n\r\n";
  constexpr int kUsageRounds = 20000;
  const auto usage_start = std::chrono::steady_clock::now();
  for (int i = 0; i < kUsageRounds; ++i) scanner.Feed(with_usage);
  const double usage_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - usage_start).count() / kUsageRounds;
  ASSERT_TRUE(scanner.last().has_value());
  EXPECT_EQ(scanner.last()->total, 340);
  std::printf("UsageScanner: %.0f ns per %zu-byte chunk with usage\n", usage_ns, with_usage.size());
}

}  // namespace
}  // namespace gempool::gemini
