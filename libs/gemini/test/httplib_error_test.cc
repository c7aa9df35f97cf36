#include "gempool/gemini/httplib_error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::gemini {
namespace {

using ::testing::HasSubstr;

TEST(HttplibErrorTest, SaysWhatWentWrongInWords) {
  EXPECT_THAT(DescribeHttplibError(httplib::Error::Connection), HasSubstr("could not connect"));
  EXPECT_THAT(DescribeHttplibError(httplib::Error::Read), HasSubstr("reading the response"));
  EXPECT_THAT(DescribeHttplibError(httplib::Error::SSLServerVerification), HasSubstr("certificate"));
  EXPECT_THAT(DescribeHttplibError(httplib::Error::Canceled), HasSubstr("stopping"));
  EXPECT_THAT(DescribeHttplibError(httplib::Error::Compression), HasSubstr("transport error"));
}

}  // namespace
}  // namespace gempool::gemini
