// fake-gemini's Vertex AI Express routes, as Google serves them under
// https://aiplatform.googleapis.com/v1beta1/publishers/google:
//   POST /v1beta1/publishers/google/models/{model}:generateContent
//   POST /v1beta1/publishers/google/models/{model}:streamGenerateContent
// (also /v1/publishers/google/...). Answers, errors and scripts are those of
// the Gemini routes (a script for a Vertex key applies here), but the keys
// are their own: FakeGeminiOptions::vertex_keys, or any key shaped like a
// Vertex AI Express key ("AQ." and at least 40 more characters); a Gemini
// API key gets Google's 400 API_KEY_INVALID. Requests are recorded with
// their path, so tests tell Vertex calls from Gemini ones.
#include <algorithm>

#include "absl/strings/match.h"
#include "fake_upstream/fake_gemini.h"

namespace gempool::fake {

void FakeGemini::RegisterVertex(httplib::Server& server) {
  server.Post(R"(/(v1beta1|v1)/publishers/google/models/([^/:]+):(generateContent|streamGenerateContent|countTokens))",
              [this](const httplib::Request& req, httplib::Response& res) {
                Route route{req.matches[1], req.matches[2], req.matches[3]};
                route.vertex = true;
                HandleGemini(req, res, route);
              });
}

bool FakeGemini::VertexKeyAccepted(const std::string& key) const {
  if (!options_.vertex_keys.empty()) {
    return std::find(options_.vertex_keys.begin(), options_.vertex_keys.end(), key) != options_.vertex_keys.end();
  }
  return absl::StartsWith(key, "AQ.") && key.size() >= 43;
}

}  // namespace gempool::fake
