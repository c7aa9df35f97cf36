#pragma once
// The gateway's in-process replica of the managed client tokens and their
// shared usage counters, so recognising a token and checking its limits
// costs a hash and a map look-up instead of a network round trip per
// request.
//
// Fed by KeyBroker.WatchClientTokens: a snapshot, then every change (a token
// created, disabled, changed or deleted goes out at once; counters as other
// gateways' reports move them, at most every 200 ms). This gateway's own use
// is counted locally the moment it happens (requests when admitted, tokens
// when a request finishes) and reported in batches by the
// TokenUsageReporter; a limit is decided from the broker's counter plus the
// use the broker has not counted yet (not reported, or reported but not yet
// seen in a counter). While the broker is down the replica keeps enforcing
// from the last-known counters plus local counts, and reconnects with a
// backoff; the next snapshot replaces the tokens and counters.
//
// Before the first snapshot no managed token is known: Admit answers
// kNotLoaded (the server answers 503 for a "gp-" token).
//
// Threads: one thread (Start/Stop) owns the stream; Admit, CheckModel and
// RecordTokens run on request threads; the reporter's thread takes and
// returns usage. One mutex guards the state, never held across I/O.
// Thread-safe.

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gempool/clienttokens/limit_decision.h"
#include "gempool/clienttokens/usage_windows.h"
#include "gempool/common/backoff.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "gempool/v1/keybroker.grpc.pb.h"

namespace gempool::gateway {

class ClientTokenReplica {
 public:
  struct Options {
    // Reconnect backoff after the stream ends or cannot open (with up to
    // this jitter share off each wait, so gateways do not all reconnect at
    // once after a broker restart; 0 for exact waits).
    int reconnect_initial_ms = 100;
    int reconnect_max_ms = 1000;
    double reconnect_jitter = kDefaultBackoffJitter;
    // How the broker's log names this gateway.
    std::string gateway;
    // Reported use not seen in a counter after this long is dropped (the
    // broker restarted and lost it, or the report raced a window change).
    int awaiting_max_ms = 3000;
  };

  // The verdict on a presented secret.
  struct Admission {
    enum class Kind {
      kUnknown,    // Not a managed token (or deleted): the usual 401.
      kNotLoaded,  // No snapshot yet: nobody can tell.
      kRefused,    // Disabled or expired: 401 with `message`.
      kLimited,    // Over a limit: `decision` says which (429).
      kAdmitted,   // Counted; `token_id` is its id.
    };
    Kind kind = Kind::kUnknown;
    std::string message;
    clienttokens::LimitDecision decision;
    std::string token_id;
  };

  // `zone` cuts the days tokens_per_day counts in (TIMEZONE; SetZone
  // changes it). `clock` must outlive this.
  ClientTokenReplica(std::shared_ptr<grpc::Channel> channel, std::string address, const Clock& clock,
                     absl::TimeZone zone, Options options);
  // Reads WatchClientTokens through `stub` (tests feed it without a server:
  // the ThreadSanitizer run, which cannot see gRPC's own hand-overs).
  ClientTokenReplica(std::unique_ptr<v1::KeyBroker::StubInterface> stub, std::string address, const Clock& clock,
                     absl::TimeZone zone, Options options);
  ClientTokenReplica(const ClientTokenReplica&) = delete;
  ClientTokenReplica& operator=(const ClientTokenReplica&) = delete;
  ~ClientTokenReplica();  // Stop()s.

  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // TIMEZONE as saved in the admin UI: days are cut in `zone` from now on.
  void SetZone(absl::TimeZone zone) ABSL_LOCKS_EXCLUDED(mu_);

  // Recognises `secret` and, when it may start a request now, counts one.
  // The model is checked later (CheckModel), where it is known.
  Admission Admit(absl::string_view secret) ABSL_LOCKS_EXCLUDED(mu_);
  // Whether the managed token `token_id` may call `model`; the refusal (403)
  // when not. Tokens that are not managed are always allowed.
  std::optional<clienttokens::LimitDecision> CheckModel(const std::string& token_id, absl::string_view model) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Counts tokens a finished request of `token_id` used (no-op for tokens
  // that are not managed).
  void RecordTokens(const std::string& token_id, int64_t finished_at_ms, int64_t tokens) ABSL_LOCKS_EXCLUDED(mu_);

  // For the reporter (one batch at a time): the use not reported yet, still
  // counted locally while in flight, however long that takes (the reporter
  // sends an unanswered batch again as it is); Acknowledged() once the
  // broker took it.
  std::vector<v1::TokenUsageDelta> TakeUnreported() ABSL_LOCKS_EXCLUDED(mu_);
  void Acknowledged() ABSL_LOCKS_EXCLUDED(mu_);

  // Applies one update from the stream (the stream thread does; tests call
  // it directly).
  void ApplyUpdate(const v1::ClientTokenUpdate& update) ABSL_LOCKS_EXCLUDED(mu_);

  bool synced() const ABSL_LOCKS_EXCLUDED(mu_);
  bool WaitUntilSynced(int timeout_ms) const ABSL_LOCKS_EXCLUDED(mu_);
  // The broker's counter plus local use, for tests: requests this minute.
  int64_t RequestsThisMinute(const std::string& token_id) const ABSL_LOCKS_EXCLUDED(mu_);
  int64_t TokensToday(const std::string& token_id) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Use taken for a report (in flight until the broker answers), not yet
  // seen in the broker's counter.
  struct Awaiting {
    int64_t minute_start_ms = 0;
    int64_t requests = 0;
    int64_t target_requests = 0;  // The counter value that includes it.
    int64_t day_start_ms = 0;
    int64_t tokens = 0;
    int64_t target_tokens = 0;
    int64_t acked_at_ms = 0;
    bool in_flight = true;
  };
  struct Usage {
    clienttokens::WindowUse shared;
    clienttokens::WindowUse unreported;
    std::vector<Awaiting> awaiting;
  };

  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Reads one stream to its end; returns how it ended, and sets
  // `*snapshot_completed` when a whole snapshot came in on it.
  grpc::Status ReadStream(bool* snapshot_completed) ABSL_LOCKS_EXCLUDED(mu_);
  // The use the broker has not counted.
  clienttokens::WindowUse LocalUseLocked(Usage& usage, int64_t now_ms) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const v1::ClientToken* FindByTokenIdLocked(const std::string& token_id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string address_;
  const Clock& clock_;
  const Options options_;
  std::unique_ptr<v1::KeyBroker::StubInterface> stub_;

  mutable Mutex mu_;
  // Signalled when synced_ becomes true and on Stop().
  mutable CondVar changed_;
  absl::TimeZone zone_ ABSL_GUARDED_BY(mu_);
  bool synced_ ABSL_GUARDED_BY(mu_) = false;
  // Between the first and the last page of a snapshot.
  bool in_snapshot_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Tokens by id, and the id of each secret hash and token id.
  std::unordered_map<int64_t, v1::ClientToken> tokens_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, int64_t> id_by_hash_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, int64_t> id_by_token_id_ ABSL_GUARDED_BY(mu_);
  // By token id.
  std::unordered_map<std::string, Usage> usage_ ABSL_GUARDED_BY(mu_);
  // The stream being read, for Stop() to cancel (the context itself is the
  // stream thread's; only TryCancel is called on it under mu_).
  grpc::ClientContext* open_context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;  // Start and Stop's (the owner's).
};

}  // namespace gempool::gateway
