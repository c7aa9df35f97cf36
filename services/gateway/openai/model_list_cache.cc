#include "openai/model_list_cache.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "gempool/openai/json_reader.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string EncodeQueryValue(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

}  // namespace

ModelListCache::ModelListCache(const GeminiCaller& caller, const Clock& clock, Options options)
    : caller_(caller), clock_(clock), options_(options) {}

ModelListCache::Result ModelListCache::Get(const std::shared_ptr<const LiveSettings>& settings) {
  const gemini::BaseUrl& base = settings->base_url;
  const std::string upstream = absl::StrCat(base.SchemeHostPort(), base.path, "/", base.version);
  {
    MutexLock lock(&mu_);
    if (models_ != nullptr && upstream_ == upstream && clock_.MonotonicMs() - fetched_ms_ < options_.ttl_ms) {
      Result cached;
      cached.models = models_;
      cached.fetched_unix = fetched_unix_;
      return cached;
    }
  }
  Result fresh = Fetch(settings);
  if (fresh.models != nullptr) {
    MutexLock lock(&mu_);
    upstream_ = upstream;
    models_ = fresh.models;
    fetched_ms_ = clock_.MonotonicMs();
    fetched_unix_ = fresh.fetched_unix;
  }
  return fresh;
}

ModelListCache::Result ModelListCache::Fetch(const std::shared_ptr<const LiveSettings>& settings) {
  Result out;
  auto models = std::make_shared<json>(json::array());
  std::string page_token;
  for (int page = 0; page < options_.max_pages; ++page) {
    std::string query = absl::StrCat("pageSize=", options_.page_size);
    if (!page_token.empty()) absl::StrAppend(&query, "&pageToken=", EncodeQueryValue(page_token));
    const ForwardRequest request =
        caller_.MakeRequest(settings, caller_.ListModelsRoute(*settings), query, "models.list", "", {});
    GeminiCaller::Buffered call = caller_.Call(request);
    out.attempts += call.result.attempts;
    out.key_id = call.result.key_id;
    if (!call.ok()) {
      out.failure = call.result.failure;
      return out;
    }
    const json body = openai::ParseJson(call.body).value_or(json());
    if (!body.is_object() || !body.contains("models") || !body["models"].is_array()) {
      if (body.is_object() && body.empty()) break;  // No models at all.
      out.failure = HttpReply{502, "application/json",
                              DumpJson(json{{"error",
                                             {{"code", 502},
                                              {"message", "the Gemini API's model list is not {\"models\": [...]}"},
                                              {"status", "UNAVAILABLE"}}}}),
                              ""};
      return out;
    }
    for (const json& model : body["models"]) models->push_back(model);
    page_token = body.contains("nextPageToken") && body["nextPageToken"].is_string()
                     ? body["nextPageToken"].get<std::string>()
                     : "";
    if (page_token.empty()) break;
  }
  out.models = std::move(models);
  out.fetched_unix = clock_.NowUnixMs() / 1000;
  return out;
}

}  // namespace gempool::gateway
