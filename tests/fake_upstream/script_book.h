#pragma once
// The scripted behaviours of the fake upstream: one queue per (key, model)
// selector, consumed one behaviour per request. An empty key or model in a
// selector matches any. A request takes the next behaviour from the most
// specific non-empty queue: (key, model), then (key, any), then (any, model),
// then (any, any); with no script it gets a normal answer. Thread-safe.

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "fake_upstream/behavior.h"
#include "gempool/common/mutex.h"

namespace gempool::fake {

class ScriptBook {
 public:
  // Replaces the script of the selector (key, model). With `repeat`, each
  // behaviour goes back to the end of the queue once consumed, so the script
  // plays forever; otherwise the queue drains. A model may carry "models/".
  void Set(const std::string& key, const std::string& model, std::vector<Behavior> behaviors, bool repeat);

  // Consumes the behaviour for a request with `key` for `model` ("" for calls
  // that are not model-specific), or nullopt when no script applies.
  std::optional<Behavior> Next(const std::string& key, const std::string& model);

  // Behaviours still queued for exactly this selector.
  size_t Pending(const std::string& key, const std::string& model) const;

  // Drops every script.
  void Clear();

 private:
  struct Script {
    std::deque<Behavior> queue;
    bool repeat = false;
  };
  using Selector = std::pair<std::string, std::string>;

  mutable Mutex mu_;
  std::map<Selector, Script> scripts_ ABSL_GUARDED_BY(mu_);
};

// "models/gemini-2.5-flash" → "gemini-2.5-flash"; other names unchanged.
std::string StripModelsPrefix(const std::string& model);

}  // namespace gempool::fake
