#include "client_token_registry.h"

#include <utility>

namespace gempool::keybroker {

void ClientTokenRegistry::Load(std::vector<v1::ClientToken> tokens) {
  MutexLock lock(&mu_);
  tokens_.clear();
  token_ids_.clear();
  for (v1::ClientToken& token : tokens) {
    const int64_t id = token.id();
    token_ids_.insert(token.token_id());
    tokens_[id] = std::move(token);
  }
}

void ClientTokenRegistry::SeedDayTokens(const std::map<std::string, int64_t>& tokens_by_id, int64_t day_start_ms) {
  MutexLock lock(&mu_);
  for (const auto& [token_id, tokens] : tokens_by_id) {
    if (token_ids_.count(token_id) == 0 || tokens <= 0) continue;  // ALLOWED_TOKENS' ids, deleted tokens.
    clienttokens::WindowUse& use = counters_[token_id];
    use.day_start_ms = day_start_ms;
    use.tokens = tokens;
  }
}

void ClientTokenRegistry::Upsert(const v1::ClientToken& token) {
  MutexLock lock(&mu_);
  auto it = tokens_.find(token.id());
  if (it != tokens_.end() && it->second.updated_at_ms() > token.updated_at_ms()) return;
  if (it != tokens_.end()) token_ids_.erase(it->second.token_id());
  token_ids_.insert(token.token_id());
  tokens_[token.id()] = token;
  changed_ids_.insert(token.id());
  removed_ids_.erase(token.id());
}

bool ClientTokenRegistry::Remove(int64_t id) {
  MutexLock lock(&mu_);
  auto it = tokens_.find(id);
  if (it == tokens_.end()) return false;
  counters_.erase(it->second.token_id());
  moved_counters_.erase(it->second.token_id());
  token_ids_.erase(it->second.token_id());
  tokens_.erase(it);
  changed_ids_.erase(id);
  removed_ids_.insert(id);
  return true;
}

std::optional<v1::ClientToken> ClientTokenRegistry::Find(int64_t id) const {
  MutexLock lock(&mu_);
  auto it = tokens_.find(id);
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

int64_t ClientTokenRegistry::FindByName(const std::string& name) const {
  MutexLock lock(&mu_);
  for (const auto& [id, token] : tokens_) {
    if (token.name() == name) return id;
  }
  return 0;
}

std::vector<v1::ClientToken> ClientTokenRegistry::List() const {
  MutexLock lock(&mu_);
  std::vector<v1::ClientToken> out;
  out.reserve(tokens_.size());
  for (const auto& [id, token] : tokens_) out.push_back(token);
  return out;
}

v1::TokenCounter ClientTokenRegistry::CounterOf(const std::string& token_id,
                                                const clienttokens::WindowUse& use) const {
  v1::TokenCounter counter;
  counter.set_token_id(token_id);
  counter.set_minute_start_ms(use.minute_start_ms);
  counter.set_requests(use.requests);
  counter.set_day_start_ms(use.day_start_ms);
  counter.set_tokens(use.tokens);
  return counter;
}

std::vector<v1::TokenCounter> ClientTokenRegistry::Counters() const {
  MutexLock lock(&mu_);
  std::vector<v1::TokenCounter> out;
  out.reserve(counters_.size());
  for (const auto& [token_id, use] : counters_) out.push_back(CounterOf(token_id, use));
  return out;
}

void ClientTokenRegistry::AddUsage(const v1::ReportTokenUsageRequest& report) {
  MutexLock lock(&mu_);
  for (const v1::TokenUsageDelta& delta : report.deltas()) {
    if (token_ids_.count(delta.token_id()) == 0) continue;
    clienttokens::WindowUse& use = counters_[delta.token_id()];
    if (delta.requests() > 0) use.AddRequests(delta.minute_start_ms(), delta.requests());
    if (delta.tokens() > 0) use.AddTokens(delta.finished_at_ms(), delta.tokens(), zone_);
    moved_counters_.insert(delta.token_id());
  }
}

v1::ClientTokenUpdate ClientTokenRegistry::TakeChanges() {
  MutexLock lock(&mu_);
  v1::ClientTokenUpdate update;
  for (int64_t id : changed_ids_) {
    auto it = tokens_.find(id);
    if (it != tokens_.end()) *update.add_tokens() = it->second;
  }
  for (int64_t id : removed_ids_) update.add_removed_ids(id);
  for (const std::string& token_id : moved_counters_) {
    auto it = counters_.find(token_id);
    if (it != counters_.end()) *update.add_counters() = CounterOf(token_id, it->second);
  }
  changed_ids_.clear();
  removed_ids_.clear();
  moved_counters_.clear();
  return update;
}

}  // namespace gempool::keybroker
