#pragma once
// A Clock tests move by hand. Thread-safe.

#include <atomic>
#include <cstdint>

#include "gempool/common/clock.h"

namespace gempool::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_unix_ms = 1'800'000'000'000) : now_ms_(start_unix_ms) {}
  int64_t NowUnixMs() const override { return now_ms_.load(); }
  int64_t MonotonicMs() const override { return now_ms_.load(); }
  void AdvanceMs(int64_t ms) { now_ms_ += ms; }
  void SetUnixMs(int64_t ms) { now_ms_ = ms; }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace gempool::testing
