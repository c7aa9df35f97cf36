#include "http/connection_admission.h"

namespace gempool::gateway {

ConnectionAdmission::Verdict ConnectionAdmission::Admit(const std::string& address, size_t max_connections,
                                                        size_t max_per_address) {
  MutexLock lock(&mu_);
  if (open_ >= max_connections) return Verdict::kTooManyConnections;
  // Counted even without a per-address limit, so that one set later counts
  // the connections already open.
  auto [it, inserted] = per_address_.try_emplace(address, 0);
  if (max_per_address > 0 && it->second >= max_per_address) {
    if (inserted) per_address_.erase(it);
    return Verdict::kTooManyFromAddress;
  }
  ++it->second;
  ++open_;
  return Verdict::kAdmitted;
}

void ConnectionAdmission::Release(const std::string& address) {
  MutexLock lock(&mu_);
  if (open_ > 0) --open_;
  auto it = per_address_.find(address);
  if (it == per_address_.end()) return;
  if (--it->second == 0) per_address_.erase(it);
}

size_t ConnectionAdmission::open() const {
  MutexLock lock(&mu_);
  return open_;
}

}  // namespace gempool::gateway
