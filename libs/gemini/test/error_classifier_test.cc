#include "gempool/gemini/error_classifier.h"

#include <gtest/gtest.h>

namespace gempool::gemini {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

// Bodies shaped as Google sends them (protocol.md §1.8).
constexpr char kApiKeyInvalid[] = R"({
  "error": {
    "code": 400,
    "message": "API key not valid. Please pass a valid API key.",
    "status": "INVALID_ARGUMENT",
    "details": [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "API_KEY_INVALID",
        "domain": "googleapis.com",
        "metadata": {"service": "generativelanguage.googleapis.com"}
      },
      {
        "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
        "locale": "en-US",
        "message": "API key not valid. Please pass a valid API key."
      }
    ]
  }
}
)";

constexpr char kQuotaPerMinute[] = R"({
  "error": {
    "code": 429,
    "message": "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, model: gemini-2.5-flash\nPlease retry in 19.424395716s.",
    "status": "RESOURCE_EXHAUSTED",
    "details": [
      {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        "violations": [
          {
            "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
            "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"},
            "quotaValue": "10"
          }
        ]
      },
      {
        "@type": "type.googleapis.com/google.rpc.Help",
        "links": [{"description": "Learn more", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]
      },
      {
        "@type": "type.googleapis.com/google.rpc.RetryInfo",
        "retryDelay": "19s"
      }
    ]
  }
}
)";

constexpr char kSuspended[] = R"({
  "error": {
    "code": 403,
    "message": "Permission denied: Consumer 'api_key:AIzaSyA1234567890abcdefghijklmnopqrstu' has been suspended.",
    "status": "PERMISSION_DENIED",
    "details": [
      {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "CONSUMER_SUSPENDED", "domain": "googleapis.com"}
    ]
  }
}
)";

TEST(ClassifyResponseTest, SuccessIsSuccess) {
  Classification c = ClassifyResponse(200, "{}", "", kNow);
  EXPECT_EQ(c.kind, OutcomeKind::kSuccess);
  EXPECT_EQ(c.error_reason, "");
  EXPECT_EQ(ClassifyResponse(204, "", "", kNow).kind, OutcomeKind::kSuccess);
}

TEST(ClassifyResponseTest, ApiKeyInvalidIsKeyInvalid) {
  Classification c = ClassifyResponse(400, kApiKeyInvalid, "", kNow);
  EXPECT_EQ(c.kind, OutcomeKind::kKeyInvalid);
  EXPECT_EQ(c.error_reason, "API_KEY_INVALID");
  EXPECT_EQ(c.message, "API key not valid. Please pass a valid API key.");
  EXPECT_TRUE(RetryableWithAnotherKey(c.kind));
}

TEST(ClassifyResponseTest, ApiKeyMessageWithoutDetailsIsKeyInvalid) {
  Classification c = ClassifyResponse(
      400, R"({"error":{"code":400,"message":"API key expired. Please renew the API key.","status":"INVALID_ARGUMENT"}})",
      "", kNow);
  EXPECT_EQ(c.kind, OutcomeKind::kKeyInvalid);
  EXPECT_EQ(c.error_reason, "INVALID_ARGUMENT");
}

TEST(ClassifyResponseTest, QuotaWithRetryInfoAndQuotaId) {
  Classification c = ClassifyResponse(429, kQuotaPerMinute, "", kNow);
  EXPECT_EQ(c.kind, OutcomeKind::kRateLimited);
  EXPECT_EQ(c.error_reason, "RESOURCE_EXHAUSTED");
  EXPECT_EQ(c.retry_delay_ms, 19000);
  EXPECT_EQ(c.quota_id, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
  EXPECT_TRUE(RetryableWithAnotherKey(c.kind));
}

TEST(ClassifyResponseTest, ArrayWrappedStreamError) {
  const std::string body = std::string("[") + kQuotaPerMinute + "]";
  Classification c = ClassifyResponse(429, body, "", kNow);
  EXPECT_EQ(c.kind, OutcomeKind::kRateLimited);
  EXPECT_EQ(c.quota_id, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
  EXPECT_EQ(c.retry_delay_ms, 19000);
}

TEST(ClassifyResponseTest, RetryDelayFallsBackToHeaderThenMessage) {
  constexpr char kBare[] =
      R"({"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}})";
  EXPECT_EQ(ClassifyResponse(429, kBare, "7", kNow).retry_delay_ms, 7000);
  EXPECT_EQ(ClassifyResponse(429, kBare, "", kNow).retry_delay_ms, 0);
  EXPECT_EQ(ClassifyResponse(429, kBare, "Fri, 15 Jan 2027 00:00:10 GMT", 1799971200000).retry_delay_ms,
            10000);
  constexpr char kHint[] =
      R"({"error":{"code":429,"message":"limit: 20, model: gemini-2.5-flash\nPlease retry in 3.5s.","status":"RESOURCE_EXHAUSTED"}})";
  EXPECT_EQ(ClassifyResponse(429, kHint, "", kNow).retry_delay_ms, 3500);
}

TEST(ClassifyResponseTest, ForbiddenAndUnauthorizedAreKeyProblems) {
  Classification c = ClassifyResponse(403, kSuspended, "", kNow);
  EXPECT_EQ(c.kind, OutcomeKind::kKeyInvalid);
  EXPECT_EQ(c.error_reason, "CONSUMER_SUSPENDED");
  EXPECT_EQ(ClassifyResponse(401, "", "", kNow).kind, OutcomeKind::kKeyInvalid);
  EXPECT_EQ(ClassifyResponse(401, "", "", kNow).error_reason, "UNAUTHENTICATED");
}

TEST(ClassifyResponseTest, AFileTheKeyCannotSeeIsNotTheKeysFault) {
  // Google's answer for a files/<id> of another key's project (or one that
  // is gone): the key must not be disabled for it.
  constexpr char kFileDenied[] =
      R"({"error":{"code":403,"message":"You do not have permission to access the File abc123 or it may not exist.","status":"PERMISSION_DENIED"}})";
  Classification c = ClassifyResponse(403, kFileDenied, "", kNow);
  EXPECT_EQ(c.kind, OutcomeKind::kClientError);
  EXPECT_EQ(c.error_reason, "PERMISSION_DENIED");
  EXPECT_FALSE(RetryableWithAnotherKey(c.kind));
}

TEST(ClassifyResponseTest, MalformedRequestIsClientErrorAndNotRetried) {
  constexpr char kBadRequest[] = R"({
  "error": {
    "code": 400,
    "message": "Invalid JSON payload received. Unknown name \"foo\": Cannot find field.",
    "status": "INVALID_ARGUMENT",
    "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                 "fieldViolations": [{"description": "Invalid JSON payload received. Unknown name \"foo\""}]}]
  }
})";
  Classification c = ClassifyResponse(400, kBadRequest, "", kNow);
  EXPECT_EQ(c.kind, OutcomeKind::kClientError);
  EXPECT_EQ(c.error_reason, "INVALID_ARGUMENT");
  EXPECT_FALSE(RetryableWithAnotherKey(c.kind));
  constexpr char kNotFound[] =
      R"({"error":{"code":404,"message":"models/x is not found for API version v1beta, or is not supported for generateContent.","status":"NOT_FOUND"}})";
  EXPECT_EQ(ClassifyResponse(404, kNotFound, "", kNow).kind, OutcomeKind::kClientError);
  EXPECT_EQ(ClassifyResponse(413, "too big", "", kNow).kind, OutcomeKind::kClientError);
}

TEST(ClassifyResponseTest, ServerErrorsIncludingNonJsonBodies) {
  constexpr char kOverloaded[] =
      R"({"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}})";
  Classification c = ClassifyResponse(503, kOverloaded, "", kNow);
  EXPECT_EQ(c.kind, OutcomeKind::kServerError);
  EXPECT_EQ(c.error_reason, "UNAVAILABLE");
  EXPECT_EQ(c.message, "The model is overloaded. Please try again later.");
  Classification html = ClassifyResponse(502, "<html>Bad Gateway</html>", "", kNow);
  EXPECT_EQ(html.kind, OutcomeKind::kServerError);
  EXPECT_EQ(html.error_reason, "HTTP_502");
  EXPECT_EQ(html.message, "<html>Bad Gateway</html>");
  EXPECT_EQ(ClassifyResponse(500, "", "", kNow).message, "HTTP 500 with an empty body");
  EXPECT_EQ(ClassifyResponse(504, "x", "", kNow).error_reason, "DEADLINE_EXCEEDED");
  // Google's name (google.rpc.Code), as its own bodies carry it.
  EXPECT_EQ(ClassifyResponse(501, "x", "", kNow).error_reason, "UNIMPLEMENTED");
}

TEST(ClassifyResponseTest, SseFramedErrorChunk) {
  Classification c = ClassifyResponse(
      503, "data: {\"error\":{\"code\":503,\"message\":\"busy\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n", "",
      kNow);
  EXPECT_EQ(c.message, "busy");
  EXPECT_EQ(c.error_reason, "UNAVAILABLE");
}

TEST(ClassifyTransportFailureTest, TimeoutAndConnection) {
  Classification t = ClassifyTransportFailure(TransportFailure::kTimeout, "read timed out");
  EXPECT_EQ(t.kind, OutcomeKind::kTimeout);
  EXPECT_EQ(t.error_reason, "TIMEOUT");
  EXPECT_EQ(t.message, "read timed out");
  EXPECT_TRUE(RetryableWithAnotherKey(t.kind));
  Classification c = ClassifyTransportFailure(TransportFailure::kConnection, "refused");
  EXPECT_EQ(c.kind, OutcomeKind::kConnectionError);
  EXPECT_EQ(c.error_reason, "CONNECTION");
  EXPECT_TRUE(RetryableWithAnotherKey(c.kind));
}

TEST(ParseDurationMsTest, ProtobufDurations) {
  EXPECT_EQ(ParseDurationMs("19s"), 19000);
  EXPECT_EQ(ParseDurationMs("3.700s"), 3700);
  EXPECT_EQ(ParseDurationMs("19.424395716s"), 19425);
  EXPECT_EQ(ParseDurationMs("0.5s"), 500);
  EXPECT_EQ(ParseDurationMs("0s"), 0);
  EXPECT_EQ(ParseDurationMs(".25s"), 250);
  EXPECT_EQ(ParseDurationMs("19"), -1);
  EXPECT_EQ(ParseDurationMs("s"), -1);
  EXPECT_EQ(ParseDurationMs("1x5s"), -1);
  EXPECT_EQ(ParseDurationMs("-3s"), -1);
}

}  // namespace
}  // namespace gempool::gemini
