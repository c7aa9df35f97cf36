#include "persistence_metrics.h"

#include "gempool/metrics/process_metrics.h"

namespace gempool::persistence {

PersistenceMetrics::PersistenceMetrics()
    : rpcs_(registry_),
      db_writes_(registry_.AddHistogram("gempool_persistence_db_write_duration_seconds",
                                        "Time the database took for one write batch, by RPC (WriteRequestLogs, "
                                        "WriteErrorLogs, SaveKeyStates); failed writes included.",
                                        {"method"}, metrics::OverheadBuckets())) {
  // The series exist from the start (0 until the first write).
  for (const char* method : {"WriteRequestLogs", "WriteErrorLogs", "SaveKeyStates"}) db_writes_.With({method});
  metrics::AddProcessMetrics(registry_);
}

}  // namespace gempool::persistence
