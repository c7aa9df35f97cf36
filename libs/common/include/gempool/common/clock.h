#pragma once
// Time source injected into everything that reasons about time (cooldowns,
// windows, log timestamps), so tests can move time by hand.

#include <cstdint>

namespace gempool {

// Thread-safe implementations only.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock Unix time in milliseconds (stored in the database, compared
  // with Google's quota reset times).
  virtual int64_t NowUnixMs() const = 0;
  // Monotonic milliseconds, for measuring durations.
  virtual int64_t MonotonicMs() const = 0;
};

// The real clocks. Thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowUnixMs() const override;
  int64_t MonotonicMs() const override;
  // A process-wide instance; SystemClock has no state, so sharing it is safe.
  static const SystemClock& Get();
};

}  // namespace gempool
