#include "http/connection_admission.h"

namespace gempool::gateway {

ConnectionAdmission::Verdict ConnectionAdmission::Admit(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  if (open_ >= max_connections_) return Verdict::kTooManyConnections;
  if (max_per_address_ > 0) {
    size_t& count = per_address_[address];
    if (count >= max_per_address_) return Verdict::kTooManyFromAddress;
    ++count;
  }
  ++open_;
  return Verdict::kAdmitted;
}

void ConnectionAdmission::Release(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  if (open_ > 0) --open_;
  if (max_per_address_ == 0) return;
  auto it = per_address_.find(address);
  if (it == per_address_.end()) return;
  if (--it->second == 0) per_address_.erase(it);
}

size_t ConnectionAdmission::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

}  // namespace gempool::gateway
