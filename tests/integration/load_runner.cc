#include "integration/load_runner.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "integration/http_calls.h"

namespace gempool::integration {

void LoadRunner::Start() {
  for (int i = 0; i < options_.clients; ++i) threads_.emplace_back([this, i] { Client(i); });
}

void LoadRunner::Stop() {
  stopping_ = true;
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

std::vector<std::string> LoadRunner::failures() const {
  MutexLock lock(&mu_);
  return failures_;
}

std::vector<std::string> LoadRunner::succeeded_ids() const {
  MutexLock lock(&mu_);
  return ids_;
}

void LoadRunner::Client(int index) {
  using Clock = std::chrono::steady_clock;
  const auto pause = std::chrono::microseconds(
      options_.per_client_rate > 0 ? static_cast<int64_t>(1e6 / options_.per_client_rate) : 0);
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (const LoadTarget& g : options_.gateways) {
    auto c = std::make_unique<httplib::Client>(g.host, g.port);
    c->set_connection_timeout(5, 0);
    c->set_read_timeout(options_.read_timeout_s, 0);
    c->set_write_timeout(10, 0);
    clients.push_back(std::move(c));
  }
  auto next = Clock::now();
  for (int64_t n = 0; !stopping_; ++n) {
    // A call that took long (a retry, a cut) does not make the next ones burst.
    next = std::max(next + pause, Clock::now() - pause);
    const size_t g = static_cast<size_t>(index + n) % clients.size();
    const std::string id = absl::StrCat(options_.id_prefix, "-", index, "-", n);
    const bool stream = n % 4 == 3;
    const std::string path = absl::StrCat("/v1beta/models/", options_.model, ":",
                                          stream ? "streamGenerateContent?alt=sse" : "generateContent");
    const httplib::Headers headers = {{"x-goog-api-key", options_.token}, {"x-request-id", id}};
    const auto started = Clock::now();
    ++sent_;
    std::string failure;
    httplib::Result r =
        clients[g]->Post(path.c_str(), headers, GenerateBody(absl::StrCat("load ", id)), "application/json");
    if (!r) {
      failure = absl::StrCat("no answer: ", httplib::to_string(r.error()));
    } else if (r->status != 200) {
      failure = absl::StrCat("HTTP ", r->status, ": ", r->body.substr(0, 300));
    } else if (stream && (!absl::StrContains(r->body, "finishReason") || absl::StrContains(r->body, "\"error\""))) {
      failure = absl::StrCat("the stream did not finish: ", r->body.substr(0, 300));
    }
    const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    {
      MutexLock lock(&mu_);
      if (failure.empty()) {
        ids_.push_back(id);
      } else {
        failures_.push_back(absl::StrCat(id, " via ", options_.gateways[g].host, ": ", failure));
      }
    }
    if (failure.empty()) {
      ++succeeded_;
      int64_t seen = max_latency_ms_.load();
      while (ms > seen && !max_latency_ms_.compare_exchange_weak(seen, ms)) {
      }
    }
    std::this_thread::sleep_until(next);
  }
}

}  // namespace gempool::integration
