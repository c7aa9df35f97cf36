#include "broker_metrics.h"

#include <string>
#include <utility>
#include <vector>

#include "gempool/keypool/key_info.h"
#include "gempool/metrics/process_metrics.h"

namespace gempool::keybroker {
namespace {

using metrics::MetricType;
using metrics::Sample;

constexpr size_t kMaxModelLabel = 100;

const char* KindName(int kind) {
  switch (kind) {
    case v1::OUTCOME_KIND_SUCCESS: return "success";
    case v1::OUTCOME_KIND_RATE_LIMITED: return "rate_limited";
    case v1::OUTCOME_KIND_KEY_INVALID: return "key_invalid";
    case v1::OUTCOME_KIND_SERVER_ERROR: return "server_error";
    case v1::OUTCOME_KIND_TIMEOUT: return "timeout";
    case v1::OUTCOME_KIND_CONNECTION_ERROR: return "connection_error";
    case v1::OUTCOME_KIND_CLIENT_ERROR: return "client_error";
    default: return "unspecified";
  }
}

}  // namespace

BrokerMetrics::BrokerMetrics(keypool::KeyPools& pools, const KeyWatchHub& hub, const KeyStateWriter& writer)
    : rpcs_(registry_) {
  metrics::Family<metrics::Counter>& outcomes = registry_.AddCounter(
      "gempool_keybroker_outcomes_total", "Attempt outcome reports received from gateways, by kind.", {"kind"});
  for (int kind = 0; kind < kKinds; ++kind) outcomes_[kind] = &outcomes.With({KindName(kind)});

  keypool::KeyPools* source = &pools;
  registry_.AddCallback(MetricType::kGauge, "gempool_keybroker_keys",
                        "Keys by pool and state (active, cooling, failing, disabled, paused).", {"pool", "state"},
                        [source] {
                          std::vector<Sample> samples;
                          for (keypool::Pool pool : keypool::kAllPools) {
                            const keypool::PoolCounts c = source->Get(pool).Summary();
                            const std::string name = keypool::PoolName(pool);
                            for (const auto& [state, count] : std::vector<std::pair<const char*, int>>{
                                     {"active", c.active}, {"cooling", c.cooling}, {"failing", c.failing},
                                     {"disabled", c.disabled}, {"paused", c.paused}}) {
                              samples.push_back({{name, state}, static_cast<double>(count)});
                            }
                          }
                          return samples;
                        });
  registry_.AddCallback(MetricType::kGauge, "gempool_keybroker_keys_cooling_by_model",
                        "Keys cooling for a model (a per-model rate limit), by pool and model.", {"pool", "model"},
                        [source] {
                          std::vector<Sample> samples;
                          for (keypool::Pool pool : keypool::kAllPools) {
                            for (const auto& [model, count] : source->Get(pool).CoolingByModel()) {
                              samples.push_back(
                                  {{keypool::PoolName(pool), model.substr(0, kMaxModelLabel)}, static_cast<double>(count)});
                            }
                          }
                          return samples;
                        });
  const KeyWatchHub* watch = &hub;
  registry_.AddCallback(MetricType::kGauge, "gempool_keybroker_watchers",
                        "Gateways watching the pool (WatchKeys streams open).", {},
                        [watch] { return std::vector<Sample>{{{}, static_cast<double>(watch->watcher_count())}}; });
  const KeyStateWriter* states = &writer;
  registry_.AddCallback(MetricType::kGauge, "gempool_keybroker_state_write_backlog",
                        "Key states waiting to be written to persistence.", {},
                        [states] { return std::vector<Sample>{{{}, static_cast<double>(states->backlog_size())}}; });
  metrics::AddProcessMetrics(registry_);
}

void BrokerMetrics::OnOutcome(v1::OutcomeKind kind) {
  const int index = static_cast<int>(kind);
  outcomes_[index >= 0 && index < kKinds ? index : 0]->Increment();
}

}  // namespace gempool::keybroker
