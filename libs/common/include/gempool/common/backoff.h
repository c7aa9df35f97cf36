#pragma once
// The wait between attempts to reach a peer that does not answer: doubling
// from an initial delay up to a maximum, with jitter, so that the many
// clients of one server that went away (every gateway's replicas when the key
// broker restarts) do not all come back in lock-step.
//
// Each delay is the doubling sequence's value d with a random part of up to
// `jitter` of it taken off: within [(1 - jitter) × d, d], so never above
// max_ms. jitter 0 gives the exact sequence (for tests that assert delays).
//
// Options out of range are clamped, not refused (a retry loop has no one to
// refuse them to): a negative delay counts as 0 (an initial_ms of 0 retries at
// once, every time), a max_ms below initial_ms is raised to initial_ms (the
// first wait is what the caller asked for), and jitter is held within [0, 1]
// (NaN counts as 0). options() gives them as clamped.
//
// Not thread-safe: one retry loop owns it (a local of the loop's thread, or a
// member under its owner's lock), with its own random generator.

#include <cstdint>

#include "absl/random/bit_gen_ref.h"
#include "absl/random/random.h"

namespace gempool {

// The jitter retry loops use unless a test asks for exact delays.
inline constexpr double kDefaultBackoffJitter = 0.2;

struct BackoffOptions {
  // The first wait, and the one after Reset().
  int64_t initial_ms = 100;
  // Doubling stops here.
  int64_t max_ms = 1000;
  // The largest share of each delay taken off at random.
  double jitter = kDefaultBackoffJitter;
};

// The two steps of a backoff, for a schedule that keeps a delay per item
// rather than a Backoff each (keypool::RecoverySchedule: one per disabled
// key, where a generator each would cost more than the key).
// min(2 × delay_ms, max_ms), without overflowing for a huge max_ms.
int64_t DoubledDelay(int64_t delay_ms, int64_t max_ms);
// delay_ms less a random part of up to `jitter` (0 to 1) of it, rounded so
// that it never falls below (1 - jitter) × delay_ms.
int64_t JitteredDelay(int64_t delay_ms, double jitter, absl::BitGenRef random);

class Backoff {
 public:
  explicit Backoff(BackoffOptions options);
  Backoff(const Backoff&) = delete;
  Backoff& operator=(const Backoff&) = delete;

  // How long to wait now, in milliseconds. The delay before jitter doubles
  // with each call, up to max_ms.
  int64_t NextMs();
  // After a success: the next wait is initial_ms (less jitter) again.
  void Reset();

  // As clamped.
  const BackoffOptions& options() const { return options_; }

 private:
  static BackoffOptions Clamped(BackoffOptions options);

  const BackoffOptions options_;
  // The next delay before jitter; within [initial_ms, max_ms].
  int64_t next_ms_ = 0;
  absl::BitGen random_;
};

}  // namespace gempool
