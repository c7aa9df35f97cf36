#include "http/request_head_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace gempool::gateway {
namespace {

using ::testing::HasSubstr;

std::optional<HeadRefusal> Check(const std::string& head, size_t max_headers = 100) {
  return CheckRequestHead(head, max_headers);
}

TEST(FindRequestHeadEndTest, FindsTheEmptyLineAndSkipsLeadingOnes) {
  EXPECT_EQ(FindRequestHeadEnd("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), 27u);
  EXPECT_EQ(FindRequestHeadEnd("GET / HTTP/1.1\r\nHost: a\r\n"), std::string::npos);
  EXPECT_EQ(FindRequestHeadEnd("\r\n\r\nGET / HTTP/1.1\r\n\r\n"), 22u);
  EXPECT_EQ(LeadingEmptyLines("\r\n\r\nGET"), 4u);
  EXPECT_EQ(LeadingEmptyLines("GET"), 0u);
}

TEST(CheckRequestHeadTest, AcceptsAnOrdinaryHead) {
  EXPECT_FALSE(Check("POST /v1beta/models/x:generateContent HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                     "Content-Type: application/json\r\n\r\n")
                   .has_value());
  EXPECT_FALSE(Check("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").has_value());
  EXPECT_FALSE(Check("POST / HTTP/1.1\r\nTransfer-Encoding:  Chunked \r\n\r\n").has_value());
}

TEST(CheckRequestHeadTest, TooManyHeadersIs431) {
  std::string head = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 100; ++i) absl::StrAppend(&head, "X-H", i, ": v\r\n");
  EXPECT_FALSE(Check(head + "\r\n").has_value());
  const auto refusal = Check(head + "X-One-More: v\r\n\r\n");
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->status, 431);
  EXPECT_THAT(refusal->message, HasSubstr("100 headers"));
}

TEST(CheckRequestHeadTest, RefusesSmugglingVectors) {
  const struct {
    const char* head;
    int status;
    const char* says;
  } cases[] = {
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400, "both"},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", 400, "more than one Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 4\r\n\r\n", 400, "more than one Content-Length"},
      {"GET / HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n", 400, "obs-fold"},
      {"GET / HTTP/1.1\r\nX-A: 1\r\n\tfolded\r\n\r\n", 400, "obs-fold"},
      {"POST / HTTP/1.1\r\nContent-Length : 3\r\n\r\n", 400, "whitespace between"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "not supported"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
       "more than one Transfer-Encoding"},
      {"GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400, "no field name"},
      {"GET / HTTP/1.1\r\n: empty name\r\n\r\n", 400, "no field name"},
  };
  for (const auto& c : cases) {
    const auto refusal = Check(c.head);
    ASSERT_TRUE(refusal.has_value()) << c.head;
    EXPECT_EQ(refusal->status, c.status) << c.head;
    EXPECT_THAT(refusal->message, HasSubstr(c.says)) << c.head;
  }
}

}  // namespace
}  // namespace gempool::gateway
