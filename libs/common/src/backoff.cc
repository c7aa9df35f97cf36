#include "gempool/common/backoff.h"

#include <algorithm>

#include "absl/random/distributions.h"

namespace gempool {

BackoffOptions Backoff::Clamped(BackoffOptions options) {
  options.initial_ms = std::max<int64_t>(options.initial_ms, 0);
  options.max_ms = std::max(options.max_ms, options.initial_ms);
  if (!(options.jitter >= 0.0)) options.jitter = 0.0;  // Negative or NaN.
  options.jitter = std::min(options.jitter, 1.0);
  return options;
}

int64_t DoubledDelay(int64_t delay_ms, int64_t max_ms) {
  return delay_ms > max_ms / 2 ? max_ms : delay_ms * 2;
}

int64_t JitteredDelay(int64_t delay_ms, double jitter, absl::BitGenRef random) {
  const auto most_off = static_cast<int64_t>(jitter * static_cast<double>(delay_ms));
  if (most_off <= 0) return delay_ms;
  return delay_ms - absl::Uniform(absl::IntervalClosedClosed, random, int64_t{0}, most_off);
}

Backoff::Backoff(BackoffOptions options) : options_(Clamped(options)), next_ms_(options_.initial_ms) {}

int64_t Backoff::NextMs() {
  const int64_t delay_ms = next_ms_;
  next_ms_ = DoubledDelay(delay_ms, options_.max_ms);
  return JitteredDelay(delay_ms, options_.jitter, random_);
}

void Backoff::Reset() { next_ms_ = options_.initial_ms; }

}  // namespace gempool
