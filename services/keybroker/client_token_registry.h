#pragma once
// The key broker's managed client tokens and their shared usage counters,
// in memory (loaded from persistence at start; admin changes are written
// through persistence first, then applied here).
//
// Counters: per token, the requests every gateway reported for the current
// UTC minute and the tokens for the current TIMEZONE day
// (clienttokens::WindowUse). Gateways decide limits from these plus their
// own unreported use.
//
// Changes (tokens upserted or removed, counters moved) accumulate in a feed
// that the ClientTokenWatchHub drains into the gateways' streams.
//
// Thread-safe: one mutex (mu_), never held across I/O; zone_ is set at
// construction and read-only.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gempool/clienttokens/usage_windows.h"
#include "gempool/common/mutex.h"
#include "gempool/v1/keybroker.pb.h"
#include "gempool/v1/types.pb.h"

namespace gempool::keybroker {

class ClientTokenRegistry {
 public:
  // `zone` cuts the days tokens_per_day counts in (TIMEZONE).
  explicit ClientTokenRegistry(absl::TimeZone zone) : zone_(zone) {}

  // Replaces every token (the start-up load); no change is fed.
  void Load(std::vector<v1::ClientToken> tokens) ABSL_LOCKS_EXCLUDED(mu_);
  // Sets the tokens used today (by token_id) read back at start-up, for the
  // tokens loaded (others are ignored); no change is fed.
  void SeedDayTokens(const std::map<std::string, int64_t>& tokens_by_id, int64_t day_start_ms)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Adds or replaces a token (by id); fed as a change. A record older than
  // the one held (updated_at_ms) is ignored.
  void Upsert(const v1::ClientToken& token) ABSL_LOCKS_EXCLUDED(mu_);
  // Removes a token; whether it was there. Fed as a change.
  bool Remove(int64_t id) ABSL_LOCKS_EXCLUDED(mu_);

  std::optional<v1::ClientToken> Find(int64_t id) const ABSL_LOCKS_EXCLUDED(mu_);
  // The id of the token called `name`, or 0.
  int64_t FindByName(const std::string& name) const ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<v1::ClientToken> List() const ABSL_LOCKS_EXCLUDED(mu_);
  // The counter of every token that has one.
  std::vector<v1::TokenCounter> Counters() const ABSL_LOCKS_EXCLUDED(mu_);

  // Adds one gateway's report to the counters. Deltas of tokens not known
  // are ignored (deleted meanwhile).
  void AddUsage(const v1::ReportTokenUsageRequest& report) ABSL_LOCKS_EXCLUDED(mu_);

  // What changed since the last call (tokens and removals first, counters
  // as they are now); empty when nothing did.
  v1::ClientTokenUpdate TakeChanges() ABSL_LOCKS_EXCLUDED(mu_);

  const absl::TimeZone& zone() const { return zone_; }

 private:
  v1::TokenCounter CounterOf(const std::string& token_id, const clienttokens::WindowUse& use) const;

  const absl::TimeZone zone_;
  mutable Mutex mu_;
  std::map<int64_t, v1::ClientToken> tokens_ ABSL_GUARDED_BY(mu_);
  // The token_id of every token in tokens_ (usage reports name tokens by it).
  std::set<std::string> token_ids_ ABSL_GUARDED_BY(mu_);
  // By token_id (the id gateways report usage under).
  std::map<std::string, clienttokens::WindowUse> counters_ ABSL_GUARDED_BY(mu_);
  // The feed.
  std::set<int64_t> changed_ids_ ABSL_GUARDED_BY(mu_);
  std::set<int64_t> removed_ids_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> moved_counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::keybroker
