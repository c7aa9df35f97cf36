#include "fake_upstream/request_recorder.h"

namespace gempool::fake {

int64_t RequestRecorder::Add(RecordedRequest request, int64_t now_ms) {
  MutexLock lock(&mu_);
  request.id = next_id_++;
  request.time_ms = now_ms;
  const int64_t id = request.id;
  if (capacity_ == 0) return id;
  if (requests_.size() >= capacity_) requests_.pop_front();
  requests_.push_back(std::move(request));
  return id;
}

void RequestRecorder::Finish(int64_t id, int status, const std::string& behavior) {
  MutexLock lock(&mu_);
  if (requests_.empty() || id < requests_.front().id) return;
  // Ids are consecutive, so the position follows from the first id.
  const size_t index = static_cast<size_t>(id - requests_.front().id);
  if (index >= requests_.size()) return;
  requests_[index].status = status;
  requests_[index].behavior = behavior;
}

std::vector<RecordedRequest> RequestRecorder::Since(int64_t after_id, const std::string& key) const {
  MutexLock lock(&mu_);
  std::vector<RecordedRequest> out;
  for (const RecordedRequest& r : requests_) {
    if (r.id > after_id && (key.empty() || r.key == key)) out.push_back(r);
  }
  return out;
}

void RequestRecorder::Clear() {
  MutexLock lock(&mu_);
  requests_.clear();
  next_id_ = 1;
}

nlohmann::ordered_json ToJson(const RecordedRequest& request) {
  nlohmann::ordered_json headers = nlohmann::ordered_json::array();
  for (const auto& [name, value] : request.headers) headers.push_back({name, value});
  return {
      {"id", request.id},         {"timeMs", request.time_ms},
      {"method", request.method}, {"path", request.path},
      {"query", request.query},   {"headers", std::move(headers)},
      {"body", request.body},     {"bodyBytes", request.body.size()},
      {"key", request.key},       {"keySource", request.key_source},
      {"model", request.model},   {"operation", request.operation},
      {"status", request.status}, {"behavior", request.behavior},
  };
}

}  // namespace gempool::fake
