#include "http/http_message.h"

#include <gtest/gtest.h>

namespace gempool::gateway {
namespace {

TEST(ResponseHeadTest, WholeAndChunkedAnswers) {
  EXPECT_EQ(ResponseHead(200, {{"Content-Type", "application/json"}}, 2, true, 11),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(ResponseHead(429, {{"Retry-After", "3"}}, std::nullopt, false, 11),
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_EQ(ResponseHead(200, {}, std::nullopt, true, 10), "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n");
}

TEST(ResponseHeadTest, StatusesBeastDoesNotName) {
  // Anthropic's "overloaded" status, and one nobody names.
  EXPECT_EQ(ResponseHead(529, {}, 0, true, 11), "HTTP/1.1 529 Overloaded\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(ResponseHead(299, {}, 0, true, 11), "HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n");
}

TEST(ResponseHeadTest, DropsHeadersThatWouldSplitTheResponse) {
  EXPECT_EQ(ResponseHead(200, {{"X-Bad", "a\r\nSet-Cookie: x"}, {"X-Good", "b"}}, 0, true, 11),
            "HTTP/1.1 200 OK\r\nX-Good: b\r\nContent-Length: 0\r\n\r\n");
}

TEST(ChunkFrameTest, HexSizeAndCrlf) {
  EXPECT_EQ(ChunkFrame("hello"), "5\r\nhello\r\n");
  EXPECT_EQ(ChunkFrame(std::string(255, 'a')).substr(0, 4), "ff\r\n");
}

TEST(HttpRequestTest, HeaderIgnoresCase) {
  HttpRequest request;
  request.headers = {{"X-Goog-Api-Key", "k"}, {"x-goog-api-key", "second"}};
  EXPECT_EQ(request.Header("x-goog-api-key"), "k");
  EXPECT_EQ(request.Header("Authorization"), std::nullopt);
}

TEST(AppendHeaderValueTest, JoinsIntoTheFirstHeaderOfThatNameInAnyCase) {
  HeaderList headers = {{"Content-Type", "text/plain"}};
  AppendHeaderValue(headers, kWarningsHeader, "a");
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].first, "x-gempool-warnings");
  EXPECT_EQ(headers[1].second, "a");
  headers[1].first = "X-Gempool-Warnings";  // As an upstream head may spell it.
  AppendHeaderValue(headers, kWarningsHeader, "b");
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].second, "a; b");
}

}  // namespace
}  // namespace gempool::gateway
