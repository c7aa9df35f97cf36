#pragma once
// The three value types a scrape shows: Counter (only goes up), Gauge (set
// or moved either way) and Histogram (observations counted into fixed
// buckets, with their sum). Updates are a relaxed atomic add or two, cheap
// enough for every request; reads (a scrape) may see a sum a few
// observations ahead of the buckets. Thread-safe.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace gempool::metrics {

class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds (inclusive), ascending; +Inf is
  // implicit.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double value);

  struct Snapshot {
    // Cumulative counts per bound of bounds(), then +Inf (== count).
    std::vector<uint64_t> cumulative;
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot Take() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  // Per bucket, not cumulative: one add per observation.
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 1 ms to 60 s (total request latency).
std::vector<double> LatencyBuckets();
// Finer buckets in seconds, 0.1 ms to 5 s (time gempool itself adds, database
// writes).
std::vector<double> OverheadBuckets();

}  // namespace gempool::metrics
