#include "fake_upstream/script_book.h"

#include "absl/strings/match.h"

namespace gempool::fake {

std::string StripModelsPrefix(const std::string& model) {
  constexpr absl::string_view kPrefix = "models/";
  if (absl::StartsWith(model, kPrefix)) return model.substr(kPrefix.size());
  return model;
}

void ScriptBook::Set(const std::string& key, const std::string& model, std::vector<Behavior> behaviors, bool repeat) {
  Selector selector{key, StripModelsPrefix(model)};
  MutexLock lock(&mu_);
  if (behaviors.empty()) {
    scripts_.erase(selector);
    return;
  }
  Script& script = scripts_[selector];
  script.queue.assign(std::make_move_iterator(behaviors.begin()), std::make_move_iterator(behaviors.end()));
  script.repeat = repeat;
}

std::optional<Behavior> ScriptBook::Next(const std::string& key, const std::string& model) {
  const std::string m = StripModelsPrefix(model);
  const Selector candidates[] = {{key, m}, {key, ""}, {"", m}, {"", ""}};
  MutexLock lock(&mu_);
  for (const Selector& selector : candidates) {
    auto it = scripts_.find(selector);
    if (it == scripts_.end() || it->second.queue.empty()) continue;
    Script& script = it->second;
    Behavior behavior = std::move(script.queue.front());
    script.queue.pop_front();
    if (script.repeat) {
      script.queue.push_back(behavior);
    } else if (script.queue.empty()) {
      scripts_.erase(it);
    }
    return behavior;
  }
  return std::nullopt;
}

size_t ScriptBook::Pending(const std::string& key, const std::string& model) const {
  MutexLock lock(&mu_);
  auto it = scripts_.find({key, StripModelsPrefix(model)});
  return it == scripts_.end() ? 0 : it->second.queue.size();
}

void ScriptBook::Clear() {
  MutexLock lock(&mu_);
  scripts_.clear();
}

}  // namespace gempool::fake
