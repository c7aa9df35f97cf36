// The OSS V1 signature. The expected values were computed separately
// (Python's hmac and hashlib) from OSS's documented formula; OSS's own
// documentation shows only masked keys, so it gives no end-to-end example.
#include "gempool/imagehost/oss_signature.h"

#include <gtest/gtest.h>

#include "absl/time/civil_time.h"

namespace gempool::imagehost {
namespace {

// The request of OSS's documentation (Content-MD5, Content-Type, Date and
// the x-oss-meta-* headers as shown there), signed with a known secret.
OssStringToSign DocumentedRequest() {
  OssStringToSign request;
  request.verb = "PUT";
  request.content_md5 = "eB5eJF1ptWaXm4bijSPyxw==";
  request.content_type = "text/html";
  request.date = "Sun, 22 Nov 2015 08:16:38 GMT";
  // Out of order and in mixed case, with spaces: canonicalisation sorts,
  // lower-cases and trims.
  request.oss_headers = {{"X-OSS-Meta-C", " c"}, {"x-oss-meta-a", "a "}, {"x-oss-meta-b", "b"}};
  request.resource = "/examplebucket/nelson";
  return request;
}

TEST(OssSignatureTest, CanonicalStringFollowsTheDocumentedLayout) {
  EXPECT_EQ(OssCanonicalString(DocumentedRequest()),
            "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nSun, 22 Nov 2015 08:16:38 GMT\n"
            "x-oss-meta-a:a\nx-oss-meta-b:b\nx-oss-meta-c:c\n/examplebucket/nelson");
}

TEST(OssSignatureTest, KnownAnswer) {
  EXPECT_EQ(OssSignature("OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", DocumentedRequest()),
            "jtooX0HfDVN1yHzlDrqdCj3Ga78=");
  EXPECT_EQ(OssAuthorization("44CF9590006BF252F707", "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV",
                             DocumentedRequest()),
            "OSS 44CF9590006BF252F707:jtooX0HfDVN1yHzlDrqdCj3Ga78=");
}

TEST(OssSignatureTest, DateAndMd5) {
  EXPECT_EQ(HttpDate(absl::FromCivil(absl::CivilSecond(2015, 11, 22, 8, 16, 38), absl::UTCTimeZone())),
            "Sun, 22 Nov 2015 08:16:38 GMT");
  EXPECT_EQ(ContentMd5("hello"), "XUFAKrxLKna5cZ2REBfFkg==");
}

}  // namespace
}  // namespace gempool::imagehost
