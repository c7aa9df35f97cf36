#include "fake_upstream/fake_gemini.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fake_upstream/responses.h"

namespace gempool::fake {
namespace {

using json = nlohmann::ordered_json;

constexpr char kJsonType[] = "application/json; charset=UTF-8";
constexpr int kDefaultStreamChunks = 3;
constexpr int kDefaultEmbeddingDimensions = 768;

// Pseudo-headers cpp-httplib adds to every server request; not sent by the client.
bool IsPseudoHeader(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT";
}

void SetGoogleHeaders(httplib::Response& res, const Behavior* behavior) {
  res.set_header("Vary", "Origin, X-Origin, Referer");
  res.set_header("Server-Timing", "gfet4t7; dur=42");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "SAMEORIGIN");
  res.set_header("X-XSS-Protection", "0");
  if (behavior != nullptr) {
    if (!behavior->retry_after.empty()) res.set_header("Retry-After", behavior->retry_after);
    for (const auto& [name, value] : behavior->headers) res.set_header(name, value);
  }
}

void SetJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(GoogleJson(body), kJsonType);
}

void SetAdminJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void SetAdminError(httplib::Response& res, int status, const std::string& message) {
  SetAdminJson(res, status, {{"error", message}});
}

std::string ResponseId(int64_t request_id) {
  // Google's ids are 22 url-safe characters; derive a stable one per request.
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  uint64_t x = static_cast<uint64_t>(request_id) * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
  std::string id = "fk";
  for (int i = 0; i < 20; ++i) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ULL;
    id += kAlphabet[(x >> 58) & 63];
  }
  return id;
}

std::string RawQuery(const httplib::Request& req) {
  const size_t q = req.target.find('?');
  return q == std::string::npos ? "" : req.target.substr(q + 1);
}

// The stream's progress, shared by the calls of its content provider.
struct StreamState {
  std::string model;
  std::string prompt;
  std::string response_id;
  std::string text;
  std::string key;
  std::string api_version;
  bool sse = true;
  int count = kDefaultStreamChunks;
  int interval_ms = 0;
  int break_at = -1;  // chunk index at which the connection drops
  bool reset = false;  // drop it with a TCP reset (Behavior::reset)
  std::string peer_addr;  // the client's end, to find the socket for a reset
  int peer_port = -1;
  int error_at = -1;  // chunk index replaced by an error event
  Behavior error;
  std::optional<FakeUsage> usage;  // Behavior::usage
  int next = 0;
};

// Aborts the server's connection to `addr`:`port` with a TCP reset: connect()
// with AF_UNSPEC disconnects a TCP socket, sending RST (httplib's own
// shutdown and close afterwards only tidy up; a zero SO_LINGER alone would
// lose to the FIN its shutdown sends first). httplib does not hand the
// socket to content providers, so it is found among the process's
// descriptors by peer.
void ArmReset(const std::string& addr, int port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &fd)) continue;
    sockaddr_storage peer{};
    socklen_t len = sizeof(peer);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) continue;
    char text[INET6_ADDRSTRLEN] = {};
    int peer_port = -1;
    if (peer.ss_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&peer);
      inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
      peer_port = ntohs(in->sin_port);
    } else if (peer.ss_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&peer);
      inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
      peer_port = ntohs(in6->sin6_port);
    } else {
      continue;
    }
    if (peer_port != port || addr != text) continue;
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    (void)connect(fd, &unspec, sizeof(unspec));
  }
}

}  // namespace

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::string item(absl::StripAsciiWhitespace(part));
    if (!item.empty()) out.push_back(std::move(item));
  }
  return out;
}

FakeGemini::FakeGemini(FakeGeminiOptions options, const Clock& clock)
    : clock_(clock), options_(std::move(options)), recorder_(options_.max_recorded) {
  valid_keys_.insert(options_.valid_keys.begin(), options_.valid_keys.end());
}

void FakeGemini::Register(httplib::Server& server) {
  server.Get("/_fake/health",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  server.Post("/_fake/script", [this](const httplib::Request& req, httplib::Response& res) { HandleScript(req, res); });
  server.Post("/_fake/reset", [this](const httplib::Request&, httplib::Response& res) { HandleReset(res); });
  server.Get("/_fake/requests",
             [this](const httplib::Request& req, httplib::Response& res) { HandleRequests(req, res); });
  server.Post("/_fake/keys", [this](const httplib::Request& req, httplib::Response& res) { HandleKeys(req, res); });

  server.Get(R"(/(v1beta|v1|v1alpha)/models)", [this](const httplib::Request& req, httplib::Response& res) {
    HandleGemini(req, res, Route{req.matches[1], "", "listModels"});
  });
  server.Get(R"(/(v1beta|v1|v1alpha)/models/([^/:]+))", [this](const httplib::Request& req, httplib::Response& res) {
    HandleGemini(req, res, Route{req.matches[1], req.matches[2], "getModel"});
  });
  server.Post(R"(/(v1beta|v1|v1alpha)/models/([^/:]+):([A-Za-z]+))",
              [this](const httplib::Request& req, httplib::Response& res) {
                HandleGemini(req, res, Route{req.matches[1], req.matches[2], req.matches[3]});
              });
  // The Files API (files_routes.h).
  for (const char* verb : {"POST", "PUT"}) {
    auto upload = [this](const httplib::Request& req, httplib::Response& res) {
      HandleGemini(req, res, Route{req.matches[1], "", "files.upload"});
    };
    if (std::string(verb) == "POST") {
      server.Post(R"(/upload/(v1beta|v1|v1alpha)/files)", upload);
    } else {
      server.Put(R"(/upload/(v1beta|v1|v1alpha)/files)", upload);
    }
  }
  server.Get(R"(/(v1beta|v1|v1alpha)/files)", [this](const httplib::Request& req, httplib::Response& res) {
    HandleGemini(req, res, Route{req.matches[1], "", "files.list"});
  });
  server.Get(R"(/(v1beta|v1|v1alpha)/files/([A-Za-z0-9_-]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               HandleGemini(req, res, Route{req.matches[1], "", "files.get", req.matches[2]});
             });
  server.Delete(R"(/(v1beta|v1|v1alpha)/files/([A-Za-z0-9_-]+))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  HandleGemini(req, res, Route{req.matches[1], "", "files.delete", req.matches[2]});
                });
  RegisterVertex(server);
  // Everything else is recorded too (a gateway calling a wrong URL should show
  // up in the test's assertions) and answered 404 as Google does.
  auto not_found = [this](const httplib::Request& req, httplib::Response& res) {
    HandleGemini(req, res, Route{"", "", ""});
  };
  server.Get(".*", not_found);
  server.Post(".*", not_found);
  server.Put(".*", not_found);
  server.Patch(".*", not_found);
  server.Delete(".*", not_found);
}

void FakeGemini::Shutdown() {
  {
    MutexLock lock(&release_mu_);
    shutting_down_ = true;
  }
  released_.SignalAll();
}

bool FakeGemini::Sleep(int ms) {
  MutexLock lock(&release_mu_);
  const int64_t generation = release_generation_;
  auto released = [this, generation]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(release_mu_) {
    return shutting_down_ || release_generation_ != generation;
  };
  if (ms <= 0) {
    while (!released()) released_.Wait(&release_mu_);
    return false;
  }
  const absl::Time deadline = absl::Now() + absl::Milliseconds(ms);
  while (!released() && !released_.WaitWithDeadline(&release_mu_, deadline)) {
  }
  return !released();
}

bool FakeGemini::KeyAccepted(const std::string& key) const {
  MutexLock lock(&keys_mu_);
  return valid_keys_.empty() || valid_keys_.count(key) > 0;
}

void FakeGemini::HandleGemini(const httplib::Request& req, httplib::Response& res, const Route& route) {
  RecordedRequest record;
  record.method = req.method;
  record.path = req.path;
  record.query = RawQuery(req);
  for (const auto& [name, value] : req.headers) {
    if (!IsPseudoHeader(name)) record.headers.emplace_back(name, value);
  }
  record.body = req.body;
  record.model = route.model;
  record.operation = route.operation;
  std::string key;
  if (req.has_header("x-goog-api-key")) {
    key = req.get_header_value("x-goog-api-key");
    record.key_source = "header";
  } else if (req.has_param("key")) {
    key = req.get_param_value("key");
    record.key_source = "query";
  }
  record.key = key;
  const int64_t id = recorder_.Add(std::move(record), clock_.NowUnixMs());

  std::string applied;
  if (route.operation.empty()) {
    SetJson(res, 404,
            SimpleErrorBody(404, absl::StrCat("The requested URL ", req.path, " was not found on this server.")));
  } else if (key.empty()) {
    Behavior unregistered;
    unregistered.status = 403;
    unregistered.reason = "UNREGISTERED";
    AnswerError(req, res, route, key, unregistered);
  } else if (route.vertex ? !VertexKeyAccepted(key) : !KeyAccepted(key)) {
    Behavior invalid;
    invalid.status = 400;
    invalid.reason = "API_KEY_INVALID";
    AnswerError(req, res, route, key, invalid);
  } else if (std::optional<std::string> denied =
                 route.operation == "generateContent" || route.operation == "streamGenerateContent" ||
                         route.operation == "countTokens"
                     ? files_.DeniedFile(key, req.body)
                     : std::nullopt;
             denied.has_value()) {
    // A file of another key's project: Google's 403.
    SetJson(res, 403,
            {{"error", {{"code", 403}, {"message", FakeFiles::DeniedMessage(*denied)}, {"status", "PERMISSION_DENIED"}}}});
    applied = "file-permission-denied";
  } else {
    std::optional<Behavior> behavior = scripts_.Next(key, route.model);
    if (behavior.has_value()) applied = BehaviorKindName(behavior->kind);
    Answer(req, res, route, key, behavior.has_value() ? &*behavior : nullptr, id);
  }
  recorder_.Finish(id, res.status, applied);
}

void FakeGemini::Answer(const httplib::Request& req, httplib::Response& res, const Route& route, const std::string& key,
                        const Behavior* behavior, int64_t request_id) {
  using Kind = Behavior::Kind;
  if (behavior != nullptr) {
    const bool slept_fully = behavior->kind == Kind::kHang ? (Sleep(behavior->delay_ms), false)
                                                           : behavior->delay_ms <= 0 || Sleep(behavior->delay_ms);
    if (!slept_fully) {
      // Released by /_fake/reset or shutdown (or a bounded hang ran out).
      SetJson(res, 503, SimpleErrorBody(503, "fake-gemini: a held request was released"));
      return;
    }
    if (behavior->has_body) {
      res.status = behavior->status;
      res.set_content(behavior->body, behavior->content_type.empty() ? kJsonType : behavior->content_type);
      SetGoogleHeaders(res, behavior);
      return;
    }
    const bool is_stream = route.operation == "streamGenerateContent";
    if (behavior->kind == Kind::kError || (behavior->kind == Kind::kSlow && behavior->status >= 400) ||
        (behavior->kind == Kind::kStreamError && !is_stream)) {
      AnswerError(req, res, route, key, *behavior);
      return;
    }
  }
  if (absl::StartsWith(route.operation, "files.")) {
    SetGoogleHeaders(res, nullptr);
    files_.Answer(req, res, route.operation, route.api_version, route.file_id, key);
    return;
  }
  if (route.operation == "streamGenerateContent") {
    AnswerStream(req, res, route, key, behavior, request_id);
    return;
  }
  AnswerSuccess(req, res, route, behavior, request_id);
  if (behavior != nullptr && behavior->kind == Kind::kBrokenStream && res.status == 200) {
    // Announce the whole length, send half, then drop the connection.
    auto body = std::make_shared<std::string>(std::move(res.body));
    res.body.clear();
    const bool reset = behavior->reset;
    res.set_content_provider(body->size(), kJsonType, [body, reset, addr = req.remote_addr, port = req.remote_port](
                                                          size_t offset, size_t, httplib::DataSink& sink) {
      if (offset > 0) {
        if (reset) ArmReset(addr, port);
        return false;
      }
      sink.write(body->data(), body->size() / 2);
      return true;
    });
  }
}

void FakeGemini::AnswerError(const httplib::Request& req, httplib::Response& res, const Route& route,
                             const std::string& key, const Behavior& behavior) {
  std::string text = GoogleJson(ErrorBody(behavior, key, route.model, route.operation, route.api_version));
  // The JSON-array stream wraps even an error in an array.
  if (route.operation == "streamGenerateContent" && req.get_param_value("alt") != "sse") {
    text = absl::StrCat("[", text, "\n]");
  }
  res.status = behavior.status;
  res.set_content(text, kJsonType);
  SetGoogleHeaders(res, &behavior);
}

void FakeGemini::AnswerSuccess(const httplib::Request& req, httplib::Response& res, const Route& route,
                               const Behavior* behavior, int64_t request_id) {
  SetGoogleHeaders(res, behavior);
  const std::string& op = route.operation;
  if (op == "listModels") {
    int page_size = 50;
    if (req.has_param("pageSize")) {
      if (!absl::SimpleAtoi(req.get_param_value("pageSize"), &page_size) || page_size < 0) {
        SetJson(res, 400, SimpleErrorBody(400, "Invalid value for pageSize: must be a non-negative integer."));
        return;
      }
      if (page_size == 0) page_size = 50;
      page_size = std::min(page_size, 1000);
    }
    size_t offset = 0;
    const std::string token = req.get_param_value("pageToken");
    if (!token.empty()) {
      if (token.rfind("fakepage-", 0) != 0 || !absl::SimpleAtoi(token.substr(9), &offset)) {
        SetJson(res, 400, SimpleErrorBody(400, "Invalid page token."));
        return;
      }
    }
    const auto& models = ModelCatalog();
    json page = json::array();
    for (size_t i = offset; i < models.size() && page.size() < static_cast<size_t>(page_size); ++i) {
      page.push_back(models[i]);
    }
    json body = {{"models", page}};
    const size_t next = offset + page.size();
    // Omitted on the last page: an empty token would make SDK pagers loop.
    if (next < models.size()) body["nextPageToken"] = absl::StrCat("fakepage-", next);
    SetJson(res, 200, body);
    return;
  }
  if (op == "getModel") {
    json model = FindModel(route.model);
    if (model.is_null()) {
      SetJson(
          res, 404,
          SimpleErrorBody(404, absl::StrCat("models/", route.model, " is not found for API version ", route.api_version,
                                            ", or is not supported for "
                                            "GetModel. Call ListModels to see the list of "
                                            "available models and their supported methods.")));
      return;
    }
    SetJson(res, 200, model);
    return;
  }

  const json request = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    SetJson(res, 400,
            SimpleErrorBody(400, "Invalid JSON payload received. Unexpected token.\n" + req.body.substr(0, 40)));
    return;
  }
  const std::string text_override = behavior != nullptr ? behavior->text : "";
  if (op == "generateContent") {
    SetJson(res, 200,
            GenerateResponse(route.model, PromptText(request), ResponseId(request_id), text_override,
                             behavior != nullptr && behavior->usage.has_value() ? &*behavior->usage : nullptr));
  } else if (op == "countTokens") {
    SetJson(res, 200, CountTokensResponse(PromptText(request)));
  } else if (op == "embedContent") {
    const int dims = request.value("outputDimensionality", kDefaultEmbeddingDimensions);
    SetJson(res, 200, {{"embedding", {{"values", EmbeddingValues(PromptText(request), dims)}}}});
  } else if (op == "batchEmbedContents") {
    if (!request.contains("requests") || !request["requests"].is_array()) {
      SetJson(res, 400, SimpleErrorBody(400, "Invalid JSON payload received. \"requests\" must be a list."));
      return;
    }
    json embeddings = json::array();
    for (const json& one : request["requests"]) {
      const std::string model = one.is_object() ? one.value("model", std::string()) : "";
      if (model != "models/" + route.model) {
        SetJson(res, 400,
                SimpleErrorBody(400, absl::StrCat("Model '", model,
                                                  "' in the request does not match "
                                                  "the model 'models/",
                                                  route.model, "' in the URL.")));
        return;
      }
      const int dims = one.value("outputDimensionality", kDefaultEmbeddingDimensions);
      embeddings.push_back({{"values", EmbeddingValues(PromptText(one), dims)}});
    }
    SetJson(res, 200, {{"embeddings", embeddings}});
  } else if (op == "predict") {
    int samples = 1;
    if (request.contains("parameters") && request["parameters"].is_object()) {
      samples = std::clamp(request["parameters"].value("sampleCount", 1), 1, 8);
    }
    SetJson(res, 200, PredictResponse(samples));
  } else {
    SetJson(res, 404, SimpleErrorBody(404, absl::StrCat("Method not found: models/", route.model, ":", op)));
  }
}

void FakeGemini::AnswerStream(const httplib::Request& req, httplib::Response& res, const Route& route,
                              const std::string& key, const Behavior* behavior, int64_t request_id) {
  using Kind = Behavior::Kind;
  auto state = std::make_shared<StreamState>();
  state->sse = req.get_param_value("alt") == "sse";
  const json request = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    Behavior bad;
    bad.status = 400;
    bad.message = "Invalid JSON payload received. Unexpected token.";
    AnswerError(req, res, route, key, bad);
    return;
  }
  state->model = route.model;
  state->prompt = PromptText(request);
  state->response_id = ResponseId(request_id);
  state->key = key;
  state->api_version = route.api_version;
  if (behavior != nullptr) {
    state->text = behavior->text;
    state->usage = behavior->usage;
    state->interval_ms = behavior->interval_ms;
    if (behavior->chunks > 0) state->count = behavior->chunks;
    if (behavior->kind == Kind::kBrokenStream) {
      state->break_at = behavior->after_chunks;
      state->reset = behavior->reset;
      state->peer_addr = req.remote_addr;
      state->peer_port = req.remote_port;
      if (behavior->chunks == 0) state->count = behavior->after_chunks + kDefaultStreamChunks;
    } else if (behavior->kind == Kind::kStreamError) {
      state->error_at = behavior->after_chunks;
      state->error = *behavior;
      state->count = std::max(state->count, behavior->after_chunks + 1);
    }
  }
  SetGoogleHeaders(res, behavior);
  res.status = 200;
  res.set_chunked_content_provider(
      state->sse ? "text/event-stream" : kJsonType, [this, state](size_t, httplib::DataSink& sink) {
        StreamState& s = *state;
        if (s.next > 0 && s.interval_ms > 0 && !Sleep(s.interval_ms)) return false;
        if (s.next == s.break_at) {  // drop the connection mid-body
          if (s.reset) ArmReset(s.peer_addr, s.peer_port);
          return false;
        }
        // JSON array framing: "[" before the first element, "\n,\r\n" between
        // elements, "\n]" at the end; elements pretty-printed.
        const std::string prefix = s.sse ? "data: " : (s.next == 0 ? "[" : "\n,\r\n");
        std::string event;
        bool last = false;
        if (s.next == s.error_at) {
          const json error = ErrorBody(s.error, s.key, s.model, "streamGenerateContent", s.api_version);
          event = prefix + (s.sse ? GoogleJson(error, -1) : GoogleJson(error));
          last = true;
        } else {
          const json chunk = StreamChunk(s.model, s.prompt, s.response_id, s.next, s.count, s.text,
                                         s.usage.has_value() ? &*s.usage : nullptr);
          event = prefix + (s.sse ? GoogleJson(chunk, -1) : GoogleJson(chunk));
          last = s.next + 1 == s.count;
        }
        event += s.sse ? "\r\n\r\n" : (last ? "\n]" : "");
        ++s.next;
        if (!sink.write(event.data(), event.size())) return false;
        if (last) sink.done();
        return true;
      });
}

void FakeGemini::HandleScript(const httplib::Request& req, httplib::Response& res) {
  const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    SetAdminError(res, 400, "POST /_fake/script needs a JSON object body");
    return;
  }
  for (const auto& [name, value] : body.items()) {
    if (name != "key" && name != "model" && name != "responses" && name != "repeat") {
      SetAdminError(
          res, 400,
          absl::StrCat("unknown field \"", name, "\" in /_fake/script; known: key, model, responses, repeat"));
      return;
    }
  }
  if ((body.contains("key") && !body["key"].is_string()) || (body.contains("model") && !body["model"].is_string()) ||
      (body.contains("repeat") && !body["repeat"].is_boolean())) {
    SetAdminError(res, 400, "/_fake/script: \"key\" and \"model\" must be strings, \"repeat\" a boolean");
    return;
  }
  if (!body.contains("responses") || !body["responses"].is_array()) {
    SetAdminError(res, 400, "/_fake/script needs \"responses\": a list (empty to clear the script)");
    return;
  }
  std::vector<Behavior> behaviors;
  for (const nlohmann::json& one : body["responses"]) {
    absl::StatusOr<Behavior> b = ParseBehavior(one);
    if (!b.ok()) {
      SetAdminError(res, 400, std::string(b.status().message()));
      return;
    }
    behaviors.push_back(*std::move(b));
  }
  const std::string key = body.value("key", std::string());
  const std::string model = body.value("model", std::string());
  scripts_.Set(key, model, std::move(behaviors), body.value("repeat", false));
  SetAdminJson(res, 200, {{"ok", true}, {"pending", scripts_.Pending(key, model)}});
}

void FakeGemini::HandleReset(httplib::Response& res) {
  scripts_.Clear();
  files_.Reset();
  recorder_.Clear();
  {
    MutexLock lock(&keys_mu_);
    valid_keys_.clear();
    valid_keys_.insert(options_.valid_keys.begin(), options_.valid_keys.end());
  }
  {
    MutexLock lock(&release_mu_);
    ++release_generation_;
  }
  released_.SignalAll();
  SetAdminJson(res, 200, {{"ok", true}});
}

void FakeGemini::HandleRequests(const httplib::Request& req, httplib::Response& res) {
  int64_t since = 0;
  if (req.has_param("since") && !absl::SimpleAtoi(req.get_param_value("since"), &since)) {
    SetAdminError(res, 400, "/_fake/requests: since must be a request id (integer)");
    return;
  }
  json list = json::array();
  int64_t last_id = since;
  for (const RecordedRequest& r : recorder_.Since(since, req.get_param_value("key"))) {
    last_id = std::max(last_id, r.id);
    list.push_back(ToJson(r));
  }
  SetAdminJson(res, 200, {{"requests", std::move(list)}, {"lastId", last_id}});
}

void FakeGemini::HandleKeys(const httplib::Request& req, httplib::Response& res) {
  const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  const bool accept_all = body.is_object() && body.value("acceptAll", false);
  if (body.is_discarded() || !body.is_object() ||
      (!accept_all && (!body.contains("keys") || !body["keys"].is_array()))) {
    SetAdminError(res, 400, "POST /_fake/keys needs {\"keys\": [\"k1\", ...]} or {\"acceptAll\": true}");
    return;
  }
  std::set<std::string> keys;
  if (!accept_all) {
    for (const json& k : body["keys"]) {
      if (!k.is_string() || k.get<std::string>().empty()) {
        SetAdminError(res, 400, "/_fake/keys: every key must be a non-empty string");
        return;
      }
      keys.insert(k.get<std::string>());
    }
  }
  MutexLock lock(&keys_mu_);
  valid_keys_ = std::move(keys);
  SetAdminJson(res, 200, {{"ok", true}, {"validKeys", valid_keys_.size()}});
}

}  // namespace gempool::fake
