#pragma once
// A LogSink that times each batch write of the one it wraps (the
// persistence client) into the metrics' histograms: the persistence write
// latency as the gateway sees it. Runs on the log writer's thread.
// Thread-safe if the wrapped sink is.

#include <chrono>
#include <vector>

#include "gempool/metrics/metric.h"
#include "logs/request_log_writer.h"

namespace gempool::gateway {

class TimedLogSink final : public LogSink {
 public:
  // All must outlive this.
  TimedLogSink(LogSink& inner, metrics::Histogram& request_logs, metrics::Histogram& error_logs)
      : inner_(inner), request_logs_(request_logs), error_logs_(error_logs) {}

  absl::Status WriteRequestLogs(absl::string_view sender, const std::vector<v1::RequestLogEntry>& entries) override {
    const auto start = std::chrono::steady_clock::now();
    absl::Status written = inner_.WriteRequestLogs(sender, entries);
    request_logs_.Observe(SecondsSince(start));
    return written;
  }
  absl::Status WriteErrorLogs(absl::string_view sender, const std::vector<v1::ErrorLogEntry>& entries) override {
    const auto start = std::chrono::steady_clock::now();
    absl::Status written = inner_.WriteErrorLogs(sender, entries);
    error_logs_.Observe(SecondsSince(start));
    return written;
  }

 private:
  // Real time, not an injected clock: it measures a real write.
  static double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  LogSink& inner_;
  metrics::Histogram& request_logs_;
  metrics::Histogram& error_logs_;
};

}  // namespace gempool::gateway
