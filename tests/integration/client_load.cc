#include "integration/client_load.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "httplib.h"
#include "integration/http_calls.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

constexpr char kModel[] = "gemini-2.5-flash";

std::string ChatBody(bool stream) {
  nlohmann::json body = {{"model", kModel}, {"messages", {{{"role", "user"}, {"content", "hello through nginx"}}}}};
  if (stream) body["stream"] = true;
  return body.dump();
}

}  // namespace

const char* ClientLoad::KindName(Kind kind) {
  switch (kind) {
    case Kind::kNativeWhole:
      return "native";
    case Kind::kNativeStream:
      return "native stream";
    case Kind::kOpenAIWhole:
      return "openai";
    case Kind::kOpenAIStream:
      return "openai stream";
  }
  return "?";
}

ClientLoad::ClientLoad(Options options) : options_(std::move(options)) {
  for (int t = 0; t < options_.threads; ++t) threads_.emplace_back([this, t] { Run(t); });
}

ClientLoad::~ClientLoad() { Stop(); }

void ClientLoad::Stop() {
  stopping_.store(true);
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void ClientLoad::Run(int thread) {
  for (int n = 0; !stopping_.load(); ++n) {
    Call call = Make(thread, n);
    MutexLock lock(&mu_);
    if (call.ok) {
      ++succeeded_;
      auto& latest = latest_by_upstream_[call.upstream];
      latest = std::max(latest, call.started);
    }
    calls_.push_back(std::move(call));
    changed_.SignalAll();
  }
}

ClientLoad::Call ClientLoad::Make(int thread, int n) {
  // One keep-alive connection per thread, as SDK clients keep them; after a
  // failure the next call starts on a new one.
  thread_local std::unique_ptr<httplib::Client> client;
  if (client == nullptr) {
    client = std::make_unique<httplib::Client>("127.0.0.1", options_.port);
    client->set_keep_alive(true);
    client->set_connection_timeout(5, 0);
    client->set_read_timeout(30, 0);
    client->set_write_timeout(10, 0);
  }
  Call call;
  call.id = absl::StrCat(options_.id_prefix, "-", thread, "-", n);
  call.kind = options_.native_whole_only ? Kind::kNativeWhole : static_cast<Kind>((thread + n) % 4);
  httplib::Headers headers = {{"x-request-id", call.id}};
  std::string path;
  std::string body;
  std::string must_contain;
  const std::string last_chunk = absl::StrCat("chunk ", options_.stream_chunks, " of ", options_.stream_chunks);
  switch (call.kind) {
    case Kind::kNativeWhole:
      headers.emplace("x-goog-api-key", options_.token);
      path = absl::StrCat("/v1beta/models/", kModel, ":generateContent");
      body = GenerateBody("hello");
      must_contain = "\"candidates\"";
      break;
    case Kind::kNativeStream:
      headers.emplace("x-goog-api-key", options_.token);
      path = absl::StrCat("/v1beta/models/", kModel, ":streamGenerateContent?alt=sse");
      body = GenerateBody("stream");
      must_contain = last_chunk;
      break;
    case Kind::kOpenAIWhole:
      headers.emplace("Authorization", "Bearer " + options_.token);
      path = "/v1/chat/completions";
      body = ChatBody(false);
      must_contain = "chat.completion";
      break;
    case Kind::kOpenAIStream:
      headers.emplace("Authorization", "Bearer " + options_.token);
      path = "/v1/chat/completions";
      body = ChatBody(true);
      must_contain = "[DONE]";
      break;
  }
  call.started = std::chrono::steady_clock::now();
  httplib::Result r = client->Post(path, headers, body, "application/json");
  call.finished = std::chrono::steady_clock::now();
  if (!r) {
    call.detail = absl::StrCat("no answer: ", httplib::to_string(r.error()));
    client.reset();
    return call;
  }
  call.upstream = r->get_header_value("X-Gempool-Upstream");
  if (r->status != 200 || !absl::StrContains(r->body, must_contain)) {
    call.detail = absl::StrCat(r->status, " ", r->body.substr(0, 300));
    return call;
  }
  call.ok = true;
  return call;
}

bool ClientLoad::WaitForSucceeded(size_t count, int timeout_ms) {
  MutexLock lock(&mu_);
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  while (succeeded_ < count && !changed_.WaitWithDeadline(&mu_, deadline)) {
  }
  return succeeded_ >= count;
}

bool ClientLoad::WaitForAnswerFrom(const std::string& upstream, std::chrono::steady_clock::time_point after,
                                   int timeout_ms) {
  MutexLock lock(&mu_);
  auto answered = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = latest_by_upstream_.find(upstream);
    return it != latest_by_upstream_.end() && it->second > after;
  };
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  while (!answered() && !changed_.WaitWithDeadline(&mu_, deadline)) {
  }
  return answered();
}

size_t ClientLoad::succeeded() const {
  MutexLock lock(&mu_);
  return succeeded_;
}

std::vector<ClientLoad::Call> ClientLoad::Calls() const {
  MutexLock lock(&mu_);
  return calls_;
}

}  // namespace gempool::integration
