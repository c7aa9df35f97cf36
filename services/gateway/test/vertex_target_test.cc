// Where a Vertex AI Express call goes: VERTEX_EXPRESS_BASE_URL as it is, then
// the model and method, then the client's query without `key`; streamed
// calls always ask for SSE.
#include "vertex/vertex_target.h"

#include <gtest/gtest.h>

#include "gempool/gemini/upstream_url.h"

namespace gempool::gateway {
namespace {

gemini::Route Call(const std::string& model, gemini::Method method) {
  gemini::Route route;
  route.api_version = "v1beta";
  route.model = model;
  route.method = method;
  return route;
}

gemini::BaseUrl Base(const std::string& url) {
  absl::StatusOr<gemini::BaseUrl> base = gemini::ParseBaseUrl(url);
  EXPECT_TRUE(base.ok()) << base.status();
  return base.ok() ? *base : gemini::BaseUrl();
}

TEST(VertexTargetTest, GoogleDefaultKeepsItsVersionAndPublisherPath) {
  const gemini::UpstreamTarget target =
      VertexTarget(Base("https://aiplatform.googleapis.com/v1beta1/publishers/google"),
                   Call("gemini-2.5-flash", gemini::Method::kGenerateContent), "");
  EXPECT_EQ(target.scheme_host_port, "https://aiplatform.googleapis.com:443");
  EXPECT_EQ(target.path_and_query, "/v1beta1/publishers/google/models/gemini-2.5-flash:generateContent");
}

TEST(VertexTargetTest, TheClientsKeyNeverGoesUpstream) {
  const gemini::UpstreamTarget target =
      VertexTarget(Base("http://127.0.0.1:8080/v1/publishers/google"),
                   Call("gemini-2.5-pro", gemini::Method::kGenerateContent), "key=client-token&foo=bar");
  EXPECT_EQ(target.scheme_host_port, "http://127.0.0.1:8080");
  EXPECT_EQ(target.path_and_query, "/v1/publishers/google/models/gemini-2.5-pro:generateContent?foo=bar");
}

TEST(VertexTargetTest, AStreamAlwaysAsksForServerSentEvents) {
  const gemini::BaseUrl base = Base("https://aiplatform.googleapis.com/v1beta1/publishers/google");
  const gemini::Route stream = Call("gemini-2.5-flash", gemini::Method::kStreamGenerateContent);
  EXPECT_EQ(VertexTarget(base, stream, "").path_and_query,
            "/v1beta1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  EXPECT_EQ(VertexTarget(base, stream, "key=t").path_and_query,
            "/v1beta1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  // The client's own alt is kept, not doubled.
  EXPECT_EQ(VertexTarget(base, stream, "alt=sse&x=1").path_and_query,
            "/v1beta1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse&x=1");
}

}  // namespace
}  // namespace gempool::gateway
