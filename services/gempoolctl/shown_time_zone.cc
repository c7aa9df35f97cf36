#include "shown_time_zone.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "gempool/common/time_zone.h"
#include "gempool/config/config.h"
#include "gempool/config/ui_settings.h"
#include "gempool/rpc/channel.h"
#include "gempool/v1/persistence.grpc.pb.h"

namespace gempool::ctl {

std::string TimezoneInForce(const Environment& env, const std::map<std::string, std::string>& stored) {
  const Environment merged = config::ApplyUiSettings(env, stored);
  return merged.GetOr("TIMEZONE", Config().timezone);
}

ShownTimeZone ResolveShownTimeZone(const std::string& persistence_addr, int timeout_ms) {
  absl::StatusOr<Environment> env = Environment::Load(DotEnvPath());
  std::map<std::string, std::string> stored;
  if (!persistence_addr.empty()) {
    auto persistence = v1::Persistence::NewStub(rpc::MakeChannel(persistence_addr));
    grpc::ClientContext context;
    rpc::SetDeadline(context, std::min(timeout_ms, 2000));
    v1::Settings settings;
    if (persistence->GetSettings(&context, v1::GetSettingsRequest(), &settings).ok()) {
      stored.insert(settings.values().begin(), settings.values().end());
    }
  }
  const std::string name = TimezoneInForce(env.ok() ? *env : Environment::FromMap({}), stored);
  absl::StatusOr<absl::TimeZone> zone = LoadTimeZoneSetting(name);
  if (!zone.ok()) return {"UTC", absl::UTCTimeZone()};
  return {name, *zone};
}

std::string FormatShownTime(int64_t unix_ms, const ShownTimeZone& zone) {
  if (unix_ms <= 0) return "-";
  return FormatLocalTime(unix_ms, zone.zone);
}

}  // namespace gempool::ctl
