#include "admin/display_zone.h"

#include "gempool/common/time_zone.h"

namespace gempool::gateway::admin {

absl::Status DisplayZone::Set(const std::string& name) {
  absl::StatusOr<absl::TimeZone> zone = LoadTimeZoneSetting(name);
  if (!zone.ok()) return zone.status();
  MutexLock lock(&mu_);
  current_ = {name, *zone};
  return absl::OkStatus();
}

DisplayZone::Zone DisplayZone::Get() const {
  MutexLock lock(&mu_);
  return current_;
}

}  // namespace gempool::gateway::admin
