#pragma once
// Ids for answers Gemini gave no id for ("chatcmpl-…", "msg_…"): a prefix
// and 24 random hex digits, unique enough to tell answers apart in a
// client's logs (not a secret). Thread-safe.

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace gempool::gateway {

class RandomIds {
 public:
  RandomIds() : random_(std::random_device{}()) {}

  std::string Next(absl::string_view prefix) {
    std::lock_guard<std::mutex> lock(mu_);
    return absl::StrFormat("%s%016x%08x", prefix, random_(), static_cast<uint32_t>(random_()));
  }

 private:
  std::mutex mu_;
  std::mt19937_64 random_;
};

}  // namespace gempool::gateway
