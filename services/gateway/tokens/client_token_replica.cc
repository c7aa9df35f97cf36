#include "tokens/client_token_replica.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/clienttokens/token_validation.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "gempool/common/thread_role.h"

namespace gempool::gateway {

ClientTokenReplica::ClientTokenReplica(std::shared_ptr<grpc::Channel> channel, std::string address,
                                       const Clock& clock, absl::TimeZone zone, Options options)
    : ClientTokenReplica(channel != nullptr ? v1::KeyBroker::NewStub(std::move(channel)) : nullptr,
                         std::move(address), clock, zone, std::move(options)) {}

ClientTokenReplica::ClientTokenReplica(std::unique_ptr<v1::KeyBroker::StubInterface> stub, std::string address,
                                       const Clock& clock, absl::TimeZone zone, Options options)
    : address_(std::move(address)), clock_(clock), options_(std::move(options)), stub_(std::move(stub)), zone_(zone) {}

ClientTokenReplica::~ClientTokenReplica() { Stop(); }

void ClientTokenReplica::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable() || stopping_ || stub_ == nullptr) return;
  thread_ = std::thread([this] {
    SetThreadName("gw-token-replica");
    Run();
  });
}

void ClientTokenReplica::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    if (open_context_ != nullptr) open_context_->TryCancel();
  }
  changed_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

bool ClientTokenReplica::synced() const {
  MutexLock lock(&mu_);
  return synced_;
}

bool ClientTokenReplica::WaitUntilSynced(int timeout_ms) const {
  MutexLock lock(&mu_);
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  while (!synced_) {
    if (changed_.WaitWithDeadline(&mu_, deadline)) break;
  }
  return synced_;
}

const v1::ClientToken* ClientTokenReplica::FindByTokenIdLocked(const std::string& token_id) const {
  auto id = id_by_token_id_.find(token_id);
  if (id == id_by_token_id_.end()) return nullptr;
  auto token = tokens_.find(id->second);
  return token == tokens_.end() ? nullptr : &token->second;
}

clienttokens::WindowUse ClientTokenReplica::LocalUseLocked(Usage& usage, int64_t now_ms) const {
  // Forget what the counter now includes (or what is too old to matter).
  usage.awaiting.erase(
      std::remove_if(usage.awaiting.begin(), usage.awaiting.end(),
                     [&](const Awaiting& a) {
                       if (a.in_flight) return false;  // Until the broker answers.
                       if (now_ms - a.acked_at_ms > options_.awaiting_max_ms) return true;
                       const bool requests_in = a.requests == 0 ||
                                                usage.shared.minute_start_ms > a.minute_start_ms ||
                                                usage.shared.RequestsIn(a.minute_start_ms) >= a.target_requests;
                       const bool tokens_in = a.tokens == 0 || usage.shared.day_start_ms > a.day_start_ms ||
                                              usage.shared.TokensIn(a.day_start_ms) >= a.target_tokens;
                       return requests_in && tokens_in;
                     }),
      usage.awaiting.end());
  clienttokens::WindowUse local = usage.unreported;
  for (const Awaiting& a : usage.awaiting) {
    if (a.requests > 0) local.AddRequests(a.minute_start_ms, a.requests);
    if (a.tokens > 0) local.AddTokens(a.day_start_ms, a.tokens, zone_);
  }
  return local;
}

void ClientTokenReplica::SetZone(absl::TimeZone zone) {
  MutexLock lock(&mu_);
  zone_ = zone;
}

ClientTokenReplica::Admission ClientTokenReplica::Admit(absl::string_view secret) {
  Admission admission;
  if (secret.empty()) return admission;
  // Hashed outside the lock (about a microsecond).
  const std::string hash = Sha256Hex(secret);
  const int64_t now = clock_.NowUnixMs();
  MutexLock lock(&mu_);
  if (!synced_) {
    admission.kind = Admission::Kind::kNotLoaded;
    return admission;
  }
  auto id = id_by_hash_.find(hash);
  if (id == id_by_hash_.end()) return admission;
  const v1::ClientToken& token = tokens_.at(id->second);
  if (std::string reason = clienttokens::RefusalReason(token, now); !reason.empty()) {
    admission.kind = Admission::Kind::kRefused;
    admission.message = std::move(reason);
    return admission;
  }
  Usage& usage = usage_[token.token_id()];
  const clienttokens::WindowUse local = LocalUseLocked(usage, now);
  admission.decision = clienttokens::Decide(token, usage.shared, local, /*model=*/"", now, zone_);
  admission.token_id = token.token_id();
  if (!admission.decision.allowed()) {
    admission.kind = Admission::Kind::kLimited;
    admission.message = admission.decision.message;
    return admission;
  }
  usage.unreported.AddRequests(now, 1);
  admission.kind = Admission::Kind::kAdmitted;
  return admission;
}

std::optional<clienttokens::LimitDecision> ClientTokenReplica::CheckModel(const std::string& token_id,
                                                                          absl::string_view model) const {
  if (token_id.empty() || model.empty()) return std::nullopt;
  MutexLock lock(&mu_);
  const v1::ClientToken* token = FindByTokenIdLocked(token_id);
  if (token == nullptr) return std::nullopt;
  clienttokens::LimitDecision decision = clienttokens::DecideModel(*token, model);
  if (decision.allowed()) return std::nullopt;
  return decision;
}

void ClientTokenReplica::RecordTokens(const std::string& token_id, int64_t finished_at_ms, int64_t tokens) {
  if (token_id.empty() || tokens <= 0) return;
  MutexLock lock(&mu_);
  if (FindByTokenIdLocked(token_id) == nullptr) return;
  usage_[token_id].unreported.AddTokens(finished_at_ms, tokens, zone_);
}

std::vector<v1::TokenUsageDelta> ClientTokenReplica::TakeUnreported() {
  std::vector<v1::TokenUsageDelta> deltas;
  const int64_t now = clock_.NowUnixMs();
  MutexLock lock(&mu_);
  for (auto& [token_id, usage] : usage_) {
    clienttokens::WindowUse& use = usage.unreported;
    if (use.requests == 0 && use.tokens == 0) continue;
    v1::TokenUsageDelta delta;
    delta.set_token_id(token_id);
    delta.set_minute_start_ms(use.minute_start_ms);
    delta.set_requests(use.requests);
    delta.set_tokens(use.tokens);
    // The broker picks the day from this instant: the day's start is in it.
    delta.set_finished_at_ms(use.day_start_ms);
    deltas.push_back(delta);
    // Still counted here while the report is on its way and until a
    // counter from the broker includes it: the counter's value now plus
    // this use is the value that does.
    Awaiting a;
    a.minute_start_ms = use.minute_start_ms;
    a.requests = use.requests;
    a.target_requests = usage.shared.RequestsIn(use.minute_start_ms) + use.requests;
    a.day_start_ms = use.day_start_ms;
    a.tokens = use.tokens;
    a.target_tokens = usage.shared.TokensIn(use.day_start_ms) + use.tokens;
    a.acked_at_ms = now;
    a.in_flight = true;
    usage.awaiting.push_back(a);
    use.requests = 0;
    use.tokens = 0;
  }
  return deltas;
}

// `deltas` need not be matched: the reporter sends one batch at a time, so
// every in-flight entry belongs to the batch this answers.
void ClientTokenReplica::Acknowledged() {
  const int64_t now = clock_.NowUnixMs();
  MutexLock lock(&mu_);
  for (auto& [token_id, usage] : usage_) {
    for (Awaiting& a : usage.awaiting) {
      if (!a.in_flight) continue;
      a.in_flight = false;
      a.acked_at_ms = now;
    }
  }
}

int64_t ClientTokenReplica::RequestsThisMinute(const std::string& token_id) const {
  const int64_t now = clock_.NowUnixMs();
  MutexLock lock(&mu_);
  auto it = usage_.find(token_id);
  if (it == usage_.end()) return 0;
  Usage copy = it->second;
  const clienttokens::WindowUse local = LocalUseLocked(copy, now);
  const int64_t minute = clienttokens::MinuteStartMs(now);
  return copy.shared.RequestsIn(minute) + local.RequestsIn(minute);
}

int64_t ClientTokenReplica::TokensToday(const std::string& token_id) const {
  const int64_t now = clock_.NowUnixMs();
  MutexLock lock(&mu_);
  auto it = usage_.find(token_id);
  if (it == usage_.end()) return 0;
  Usage copy = it->second;
  const clienttokens::WindowUse local = LocalUseLocked(copy, now);
  const int64_t day = clienttokens::DayStartMs(now, zone_);
  return copy.shared.TokensIn(day) + local.TokensIn(day);
}

void ClientTokenReplica::ApplyUpdate(const v1::ClientTokenUpdate& update) {
  bool completed = false;
  {
    MutexLock lock(&mu_);
    if (update.snapshot()) {
      // The first page of a snapshot replaces everything the broker owns
      // (local, unreported use stays).
      if (!in_snapshot_) {
        tokens_.clear();
        id_by_hash_.clear();
        id_by_token_id_.clear();
        for (auto& [token_id, usage] : usage_) usage.shared = clienttokens::WindowUse();
        in_snapshot_ = true;
      }
    }
    for (const v1::ClientToken& token : update.tokens()) {
      auto old = tokens_.find(token.id());
      if (old != tokens_.end()) {
        id_by_hash_.erase(old->second.secret_sha256());
        id_by_token_id_.erase(old->second.token_id());
      }
      tokens_[token.id()] = token;
      id_by_hash_[token.secret_sha256()] = token.id();
      id_by_token_id_[token.token_id()] = token.id();
    }
    for (int64_t id : update.removed_ids()) {
      auto old = tokens_.find(id);
      if (old == tokens_.end()) continue;
      id_by_hash_.erase(old->second.secret_sha256());
      id_by_token_id_.erase(old->second.token_id());
      usage_.erase(old->second.token_id());
      tokens_.erase(old);
    }
    for (const v1::TokenCounter& counter : update.counters()) {
      clienttokens::WindowUse& shared = usage_[counter.token_id()].shared;
      // Counters only grow within a window; a newer window replaces.
      if (counter.minute_start_ms() >= shared.minute_start_ms) {
        if (counter.minute_start_ms() > shared.minute_start_ms || counter.requests() > shared.requests) {
          shared.requests = counter.requests();
        }
        shared.minute_start_ms = counter.minute_start_ms();
      }
      if (counter.day_start_ms() >= shared.day_start_ms) {
        if (counter.day_start_ms() > shared.day_start_ms || counter.tokens() > shared.tokens) {
          shared.tokens = counter.tokens();
        }
        shared.day_start_ms = counter.day_start_ms();
      }
    }
    if (update.snapshot_complete()) {
      in_snapshot_ = false;
      completed = true;
      synced_ = true;
    }
  }
  if (completed) changed_.SignalAll();
}

grpc::Status ClientTokenReplica::ReadStream(bool* snapshot_completed) {
  *snapshot_completed = false;
  grpc::ClientContext context;
  {
    MutexLock lock(&mu_);
    if (stopping_) return grpc::Status::CANCELLED;
    open_context_ = &context;
    in_snapshot_ = false;
  }
  v1::WatchClientTokensRequest request;
  request.set_gateway(options_.gateway);
  std::unique_ptr<grpc::ClientReaderInterface<v1::ClientTokenUpdate>> reader =
      stub_->WatchClientTokens(&context, request);
  v1::ClientTokenUpdate update;
  bool logged = false;
  while (reader->Read(&update)) {
    ApplyUpdate(update);
    if (update.snapshot_complete() && !logged) {
      logged = true;
      *snapshot_completed = true;
      MutexLock lock(&mu_);
      GEMPOOL_LOG(INFO) << "client token replica: " << tokens_.size() << " managed tokens from the key broker at "
                        << address_;
    }
  }
  grpc::Status status = reader->Finish();
  MutexLock lock(&mu_);
  open_context_ = nullptr;
  return status;
}

void ClientTokenReplica::Run() {
  Backoff backoff({options_.reconnect_initial_ms, options_.reconnect_max_ms, options_.reconnect_jitter});
  std::string last_logged;
  while (true) {
    bool snapshot_completed = false;
    const grpc::Status status = ReadStream(&snapshot_completed);
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
    }
    // The stream worked for a while: reconnect quickly.
    if (snapshot_completed) backoff.Reset();
    const bool unimplemented = status.error_code() == grpc::StatusCode::UNIMPLEMENTED;
    if (unimplemented) {
      // A broker without managed tokens has none: gp- secrets are unknown
      // (401) rather than waiting forever for a snapshot (503).
      MutexLock lock(&mu_);
      if (!synced_) {
        synced_ = true;
        changed_.SignalAll();
      }
    }
    std::string what =
        unimplemented
            ? std::string("does not manage client tokens (an older version?); only ALLOWED_TOKENS work")
            : absl::StrCat("ended the client token stream (", status.error_message(), "); ",
                           synced() ? "enforcing the tokens and counters as last known" : "managed tokens wait",
                           " and reconnecting");
    if (what != last_logged) {
      GEMPOOL_LOG(WARNING) << "client token replica: the key broker at " << address_ << " " << what;
      last_logged = what;
    }
    {
      MutexLock lock(&mu_);
      const absl::Time deadline = absl::Now() + absl::Milliseconds(backoff.NextMs());
      while (!stopping_) {
        if (changed_.WaitWithDeadline(&mu_, deadline)) break;
      }
      if (stopping_) return;
    }
  }
}

}  // namespace gempool::gateway
