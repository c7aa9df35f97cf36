#pragma once
// Ids for answers Gemini gave no id for ("chatcmpl-…", "msg_…"): a prefix
// and 24 random hex digits, unique enough to tell answers apart in a
// client's logs (not a secret). Thread-safe.

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "gempool/common/mutex.h"

namespace gempool::gateway {

class RandomIds {
 public:
  RandomIds() : random_(std::random_device{}()) {}

  std::string Next(absl::string_view prefix) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return absl::StrFormat("%s%016x%08x", prefix, random_(), static_cast<uint32_t>(random_()));
  }

 private:
  Mutex mu_;
  std::mt19937_64 random_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::gateway
