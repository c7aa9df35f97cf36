#include "metrics/gateway_metrics.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/keypool/key_info.h"
#include "gempool/metrics/process_metrics.h"

namespace gempool::gateway {
namespace {

using metrics::FamilyOptions;
using metrics::MetricType;
using metrics::Sample;

// Model names come from clients: long ones are cut (the label groups
// requests; the request log keeps the whole name).
constexpr size_t kMaxModelLabel = 100;

constexpr double kMsPerSecond = 1000.0;

}  // namespace

GatewayMetrics::GatewayMetrics(metrics::Registry& registry)
    : registry_(registry),
      requests_(registry.AddCounter("gempool_gateway_requests_total",
                                    "Client API requests finished, by route (the request log's operation), HTTP "
                                    "status and model (the first 100 model names; later ones count as other).",
                                    {"route", "status", "model"}, FamilyOptions{/*bounded_label=*/2, 100})) {
  metrics::Family<metrics::Histogram>& duration = registry.AddHistogram(
      "gempool_gateway_request_duration_seconds",
      "Client API requests from arrival to the last byte, by whether the answer was streamed.", {"stream"},
      metrics::LatencyBuckets());
  metrics::Family<metrics::Histogram>& added = registry.AddHistogram(
      "gempool_gateway_added_latency_seconds",
      "Latency gempool added to a client API request: its duration minus the time spent in upstream attempts.",
      {"stream"}, metrics::LatencyBuckets());
  for (int stream = 0; stream < 2; ++stream) {
    const char* label = stream == 1 ? "true" : "false";
    duration_[stream] = &duration.With({label});
    added_[stream] = &added.With({label});
  }
  metrics::Family<metrics::Counter>& attempts =
      registry.AddCounter("gempool_gateway_upstream_attempts_total",
                          "Upstream attempts by how they ended (success, rate_limited, key_invalid, server_error, "
                          "timeout, connection_error, client_error, client_gone, aborted).",
                          {"outcome"});
  for (int i = 0; i < kAttemptOutcomeCount; ++i) {
    attempts_[i] = &attempts.With({AttemptOutcomeName(AttemptOutcome::FromIndex(i))});
  }
  metrics::Family<metrics::Histogram>& log_write =
      registry.AddHistogram("gempool_gateway_log_write_duration_seconds",
                            "Time persistence took to take one batch of log rows as the gateway saw it, by table "
                            "(request, error); failed writes included.",
                            {"table"}, metrics::OverheadBuckets());
  request_log_write_ = &log_write.With({"request"});
  error_log_write_ = &log_write.With({"error"});
  metrics::AddProcessMetrics(registry);
}

void GatewayMetrics::WatchReplica(const KeyPoolReplica& replica) {
  const KeyPoolReplica* source = &replica;
  registry_.AddCallback(
      MetricType::kGauge, "gempool_gateway_keys",
      "Keys in this gateway's replica of the pool by pool and state (active, cooling, failing, disabled, paused).",
      {"pool", "state"}, [source] {
        std::vector<Sample> samples;
        for (const KeyPoolReplica::PoolCounts& stats : source->Counts()) {
          const std::string pool = keypool::PoolName(stats.pool);
          const keypool::PoolCounts& c = stats.counts;
          for (const auto& [state, count] : std::vector<std::pair<const char*, int>>{
                   {"active", c.active}, {"cooling", c.cooling}, {"failing", c.failing},
                   {"disabled", c.disabled}, {"paused", c.paused}}) {
            samples.push_back({{pool, state}, static_cast<double>(count)});
          }
        }
        return samples;
      });
  registry_.AddCallback(MetricType::kGauge, "gempool_gateway_keys_cooling_some_model",
                        "Usable keys cooling for at least one model, by pool.", {"pool"}, [source] {
                          std::vector<Sample> samples;
                          for (const KeyPoolReplica::PoolCounts& stats : source->Counts()) {
                            samples.push_back({{keypool::PoolName(stats.pool)},
                                               static_cast<double>(stats.counts.cooling_some_model)});
                          }
                          return samples;
                        });
  registry_.AddCallback(MetricType::kGauge, "gempool_gateway_keys_cooling_by_model",
                        "Keys cooling for a model (a per-model rate limit), by pool and model.", {"pool", "model"},
                        [source] {
                          std::vector<Sample> samples;
                          for (const KeyPoolReplica::PoolCooling& stats : source->CoolingByModel()) {
                            for (const auto& [model, count] : stats.by_model) {
                              samples.push_back({{keypool::PoolName(stats.pool), model.substr(0, kMaxModelLabel)},
                                                 static_cast<double>(count)});
                            }
                          }
                          return samples;
                        });
  registry_.AddCallback(MetricType::kGauge, "gempool_gateway_replica_connected",
                        "1 while the replica's stream from the key broker is connected and past its snapshot.", {},
                        [source] { return std::vector<Sample>{{{}, source->connected() ? 1.0 : 0.0}}; });
}

void GatewayMetrics::WatchLogWriter(const RequestLogWriter& logs) {
  const RequestLogWriter* source = &logs;
  registry_.AddCallback(MetricType::kGauge, "gempool_gateway_log_queue_rows",
                        "Request and error log rows waiting to be written to persistence.", {},
                        [source] { return std::vector<Sample>{{{}, static_cast<double>(source->backlog())}}; });
  registry_.AddCallback(MetricType::kCounter, "gempool_gateway_log_rows_dropped_total",
                        "Log rows dropped because the queue was full (persistence down or too slow).", {},
                        [source] { return std::vector<Sample>{{{}, static_cast<double>(source->dropped())}}; });
}

void GatewayMetrics::WatchOutcomeReporter(const OutcomeReporter& reporter) {
  const OutcomeReporter* source = &reporter;
  registry_.AddCallback(MetricType::kGauge, "gempool_gateway_outcome_queue_reports",
                        "Attempt outcomes waiting to be reported to the key broker.", {},
                        [source] { return std::vector<Sample>{{{}, static_cast<double>(source->queued())}}; });
  registry_.AddCallback(MetricType::kCounter, "gempool_gateway_outcome_reports_dropped_total",
                        "Attempt outcomes dropped because the queue was full (key broker down or too slow).", {},
                        [source] { return std::vector<Sample>{{{}, static_cast<double>(source->dropped())}}; });
}

void GatewayMetrics::WatchOpenStreams(std::function<size_t()> open_streams) {
  registry_.AddCallback(MetricType::kGauge, "gempool_gateway_streams_open", "Streamed answers in progress.", {},
                        [open_streams = std::move(open_streams)] {
                          return std::vector<Sample>{{{}, static_cast<double>(open_streams())}};
                        });
}

void GatewayMetrics::OnRequestFinished(const v1::RequestLogEntry& entry) {
  const std::string status = absl::StrCat(entry.status_code());
  const absl::string_view model = absl::string_view(entry.model()).substr(0, kMaxModelLabel);
  requests_.With({entry.operation(), status, model}).Increment();
  const int stream = entry.stream() ? 1 : 0;
  const int64_t latency_ms = std::max<int64_t>(entry.latency_ms(), 0);
  duration_[stream]->Observe(static_cast<double>(latency_ms) / kMsPerSecond);
  const int64_t added_ms = std::max<int64_t>(latency_ms - entry.upstream_ms(), 0);
  added_[stream]->Observe(static_cast<double>(added_ms) / kMsPerSecond);
}

void GatewayMetrics::OnAttempt(AttemptOutcome outcome) {
  const int index = outcome.index();
  if (index >= 0 && index < kAttemptOutcomeCount) attempts_[index]->Increment();
}

}  // namespace gempool::gateway
